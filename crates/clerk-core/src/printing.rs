//! How a print ended: the vocabulary of the print journal (issue #12).
//!
//! The journal keeps one of these per attempt; clerk-print's `print()`
//! returns it, clerk-store keeps it, the UI shows it. The first print that
//! [`PrintOutcome::counts_as_printed`] is the original (正本); every later
//! print is a 副本.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PrintOutcome {
    /// The printing system accepted the job and the printer is ready.
    Sent,
    /// Accepted, but the printer cannot print now (paper out, jam, queue
    /// stopped…): it comes out once that is fixed.
    Held,
    /// Not printed (no printer configured, unknown printer, the printing
    /// system refused): the document is kept, print it later.
    Failed,
    /// No printer configured on Windows: opened in the default PDF viewer
    /// for the clerk to print by hand. Never counts as printed.
    InViewer,
}

impl PrintOutcome {
    pub const ALL: [PrintOutcome; 4] = [Self::Sent, Self::Held, Self::Failed, Self::InViewer];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Sent => "sent",
            Self::Held => "held",
            Self::Failed => "failed",
            Self::InViewer => "in_viewer",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|o| o.as_str() == s)
    }

    /// The job reached a print queue: the original is spent, the next
    /// print is a 副本.
    pub fn counts_as_printed(self) -> bool {
        matches!(self, Self::Sent | Self::Held)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip_and_only_queued_jobs_count_as_printed() {
        for o in PrintOutcome::ALL {
            assert_eq!(PrintOutcome::parse(o.as_str()), Some(o));
            assert_eq!(
                serde_json::to_value(o).unwrap(),
                serde_json::Value::String(o.as_str().into())
            );
        }
        assert_eq!(PrintOutcome::parse("held: paper out"), None);
        let printed: Vec<_> = PrintOutcome::ALL
            .into_iter()
            .filter(|o| o.counts_as_printed())
            .collect();
        assert_eq!(printed, [PrintOutcome::Sent, PrintOutcome::Held]);
    }
}
