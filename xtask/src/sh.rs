//! Running commands: echo them, and turn failures into one-line errors.

use std::process::Command;

pub fn cmd(program: &str) -> Command {
    Command::new(program)
}

fn describe(c: &Command) -> String {
    let mut s = c.get_program().to_string_lossy().into_owned();
    for a in c.get_args() {
        s.push(' ');
        s.push_str(&a.to_string_lossy());
    }
    s
}

/// Run, inheriting stdio; an exit code other than 0 is an error.
pub fn run(c: &mut Command) -> crate::Result {
    let d = describe(c);
    println!("$ {d}");
    let status = c.status().map_err(|e| format!("cannot start `{d}`: {e}"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("`{d}` failed ({status})"))
    }
}

pub fn exists(program: &str) -> bool {
    Command::new("sh")
        .args(["-c", &format!("command -v {program} >/dev/null 2>&1")])
        .status()
        .is_ok_and(|s| s.success())
}

/// A command run inside a fresh desktop-like session: its own D-Bus session
/// bus with gnome-keyring's Secret Service started and unlocked (a throwaway
/// keyring in a temporary HOME, with a random password), optionally under a
/// virtual display. Append the program and its arguments to the result.
pub fn desktop_session(display: bool) -> Command {
    const SCRIPT: &str = r#"set -e
kr=$(mktemp -d "${TMPDIR:-/tmp}/wc-keyring.XXXXXX")
eval "$(printf %s "$WC_KEYRING_PASSWORD" | HOME="$kr" XDG_DATA_HOME="$kr/share" gnome-keyring-daemon --unlock --components=secrets --daemonize)"
export GNOME_KEYRING_CONTROL
unset WC_KEYRING_PASSWORD
export WINDOW_CLERK_REAL_KEYRING=1
exec "$@""#;
    let password = format!(
        "wc-{}-{}",
        std::process::id(),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or(0)
    );
    let mut c = cmd("dbus-run-session");
    c.args(["--", "bash", "-c", SCRIPT, "bash"])
        .env("WC_KEYRING_PASSWORD", password);
    if display {
        c.args(["xvfb-run", "-a", "-s", "-screen 0 1366x768x24"]);
    }
    c
}
