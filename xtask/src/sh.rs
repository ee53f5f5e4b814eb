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
    Command::new("sh").args(["-c", &format!("command -v {program} >/dev/null 2>&1")]).status().is_ok_and(|s| s.success())
}
