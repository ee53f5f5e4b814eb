//! Who is at the window (issue #12): the session and the gate every
//! command passes. No Tauri here: the rules are clerk-core's `access`
//! (the table of command → roles, lockout, offline period); this holds the
//! state — signed out, active, locked — and the idle clock.

use std::sync::Mutex;
use std::time::{Duration, Instant};

use clerk_core::access::{self, GateState, Role};
use clerk_ipc::{CmdError, ErrorKind};

/// The signed-in user. No secret is kept here.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct User {
    pub user_id: String,
    pub display_name: String,
    pub roles: Vec<Role>,
    /// Signed in against the platform (false: offline or a local user).
    pub online: bool,
}

impl User {
    pub fn has(&self, role: Role) -> bool {
        self.roles.contains(&role)
    }

    /// The clerk's own cases only, unless a supervisor (the hall's).
    pub fn sees_all_cases(&self) -> bool {
        self.has(Role::Supervisor)
    }
}

#[derive(Debug)]
enum State {
    SignedOut,
    Active { user: User, last: Instant },
    Locked { user: User },
}

/// What the UI is told of the session.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Seen {
    SignedOut,
    Active(User),
    Locked(User),
}

pub struct Sessions {
    state: Mutex<State>,
    idle: Duration,
}

impl Sessions {
    pub fn new(idle_lock_secs: u32) -> Sessions {
        Sessions {
            state: Mutex::new(State::SignedOut),
            idle: Duration::from_secs(idle_lock_secs.max(1).into()),
        }
    }

    /// Lock if idle too long; true when this call locked it.
    fn expire(&self, st: &mut State) -> bool {
        if let State::Active { user, last } = st {
            if last.elapsed() >= self.idle {
                let user = user.clone();
                *st = State::Locked { user };
                return true;
            }
        }
        false
    }

    /// The session now (locking it first if it has been idle too long);
    /// the second value is the user the idle lock just locked, to audit.
    pub fn seen(&self) -> (Seen, Option<User>) {
        let mut st = self.state.lock().unwrap();
        let locked_now = self.expire(&mut st);
        let seen = match &*st {
            State::SignedOut => Seen::SignedOut,
            State::Active { user, .. } => Seen::Active(user.clone()),
            State::Locked { user } => Seen::Locked(user.clone()),
        };
        let just = match (&seen, locked_now) {
            (Seen::Locked(u), true) => Some(u.clone()),
            _ => None,
        };
        (seen, just)
    }

    /// **The gate.** May `command` run now? Checked against clerk-core's
    /// table before anything else the command does. Returns the user
    /// (None for an open command with nobody signed in) and whoever the
    /// idle lock just locked (to audit). A non-passive command is the
    /// user's activity and holds the idle lock off.
    pub fn gate(&self, command: &str) -> (Result<Option<User>, CmdError>, Option<User>) {
        let mut st = self.state.lock().unwrap();
        let locked_now = self.expire(&mut st);
        let just_locked = match (&*st, locked_now) {
            (State::Locked { user }, true) => Some(user.clone()),
            _ => None,
        };
        let gate_state = match &*st {
            State::SignedOut => GateState::SignedOut,
            State::Locked { .. } => GateState::Locked,
            State::Active { user, .. } => GateState::Active(&user.roles),
        };
        let result = match access::check(command, gate_state) {
            Ok(rule) => {
                if let State::Active { user, last } = &mut *st {
                    // Open commands (the session poll among them) and
                    // passive ones are not the user's activity.
                    if !rule.passive && rule.need != access::Need::Open {
                        *last = Instant::now();
                    }
                    Ok(Some(user.clone()))
                } else if let State::Locked { user } = &*st {
                    Ok(Some(user.clone()))
                } else {
                    Ok(None)
                }
            }
            Err(refusal) => {
                let kind = match refusal {
                    access::Refusal::SignedOut => ErrorKind::Unauthenticated,
                    access::Refusal::Locked => ErrorKind::Locked,
                    access::Refusal::Role { .. } => ErrorKind::Permission,
                    access::Refusal::UnknownCommand(_) => ErrorKind::Internal,
                };
                if kind == ErrorKind::Internal {
                    tracing::error!(
                        command,
                        "a command that is not in the access table was called"
                    );
                }
                Err(CmdError::new(kind, refusal.zh(), refusal.en()))
            }
        };
        (result, just_locked)
    }

    pub fn sign_in(&self, user: User) {
        *self.state.lock().unwrap() = State::Active {
            user,
            last: Instant::now(),
        };
    }

    /// Back to active after the password was given again.
    pub fn unlock(&self) -> bool {
        let mut st = self.state.lock().unwrap();
        if let State::Locked { user } = &*st {
            let user = user.clone();
            *st = State::Active {
                user,
                last: Instant::now(),
            };
            true
        } else {
            false
        }
    }

    /// The user the lock screen is for.
    pub fn locked_user(&self) -> Option<User> {
        match &*self.state.lock().unwrap() {
            State::Locked { user } => Some(user.clone()),
            _ => None,
        }
    }

    /// Signed out; returns who was.
    pub fn sign_out(&self) -> Option<User> {
        let mut st = self.state.lock().unwrap();
        let was = match &*st {
            State::SignedOut => None,
            State::Active { user, .. } | State::Locked { user } => Some(user.clone()),
        };
        *st = State::SignedOut;
        was
    }

    /// Lock now (tests; the UI's 锁屏 button).
    pub fn lock_now(&self) {
        let mut st = self.state.lock().unwrap();
        if let State::Active { user, .. } = &*st {
            let user = user.clone();
            *st = State::Locked { user };
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn clerk() -> User {
        User {
            user_id: "clerk01".into(),
            display_name: "张三".into(),
            roles: vec![Role::Clerk],
            online: false,
        }
    }

    #[test]
    fn idle_time_locks_and_a_poller_does_not_count_as_activity() {
        let s = Sessions::new(1);
        s.sign_in(clerk());
        assert!(s.gate("take_in").0.is_ok());
        std::thread::sleep(Duration::from_millis(600));
        // The status bar and the session poll: not activity.
        assert!(s.gate("sync_status").0.is_ok());
        assert!(s.gate("session_state").0.is_ok());
        std::thread::sleep(Duration::from_millis(600));
        let (r, just) = s.gate("take_in");
        assert_eq!(r.unwrap_err().kind, ErrorKind::Locked);
        assert_eq!(just, Some(clerk()));
        // Locked once: the next refusal does not report it again.
        assert_eq!(s.gate("take_in").1, None);
        assert!(
            s.gate("sign_out").0.is_ok(),
            "sign out from the lock screen"
        );
        assert!(s.unlock());
        assert!(s.gate("take_in").0.is_ok());
    }

    #[test]
    fn the_gate_refuses_by_state_and_role() {
        let s = Sessions::new(300);
        assert_eq!(
            s.gate("take_in").0.unwrap_err().kind,
            ErrorKind::Unauthenticated
        );
        assert_eq!(s.gate("app_info").0, Ok(None));
        s.sign_in(clerk());
        assert_eq!(
            s.gate("add_user").0.unwrap_err().kind,
            ErrorKind::Permission
        );
        assert_eq!(
            s.gate("no_such_command").0.unwrap_err().kind,
            ErrorKind::Internal
        );
        assert_eq!(s.sign_out(), Some(clerk()));
        assert!(s.gate("take_in").0.is_err());
    }
}
