//! Search over cached cases (FTS5). Chinese has no spaces, so names and
//! matter names are indexed one character per token and searched as
//! phrases; receipt numbers, ID numbers and phones as tokens with prefix
//! match, plus the last four digits of ID and phone (what clerks ask for).

use clerk_core::intake::ApplicantForm;
use rusqlite::params;

use crate::ops::{case_row, CaseRow, StoreError, CASE_COLUMNS};
use crate::Store;

fn spaced(s: &str) -> String {
    let mut out = String::new();
    for ch in s.chars() {
        if ch.is_alphanumeric() && !ch.is_ascii() {
            out.push(' ');
            out.push(ch);
            out.push(' ');
        } else if ch.is_ascii_alphanumeric() {
            out.push(ch.to_ascii_lowercase());
        } else {
            out.push(' ');
        }
    }
    out
}

fn tail4(s: &str) -> &str {
    if s.len() > 4 && s.is_ascii() {
        &s[s.len() - 4..]
    } else {
        ""
    }
}

pub(crate) fn terms(receipt: &str, a: &ApplicantForm, matter_name: &str) -> String {
    let counter = receipt
        .split('-')
        .nth(2)
        .map(|c| c.trim_start_matches('0'))
        .unwrap_or_default();
    let phone: String = a.phone.chars().filter(char::is_ascii_digit).collect();
    [
        spaced(receipt),
        receipt.replace('-', "").to_lowercase(),
        counter.to_owned(),
        spaced(&a.name),
        a.id_no.to_lowercase(),
        tail4(&a.id_no).to_lowercase(),
        phone.clone(),
        tail4(&phone).to_owned(),
        spaced(&a.agent_name),
        spaced(matter_name),
    ]
    .join(" ")
}

/// Turn what the clerk typed into an FTS5 query: every piece must match.
/// Returns `None` when nothing searchable is left.
pub fn fts_query(input: &str) -> Option<String> {
    let mut parts = Vec::new();
    for piece in input.split_whitespace() {
        // A whole receipt number: its compact token, not a phrase over
        // parts every case shares (office and device code).
        if let Ok(r) = clerk_core::receipt::ReceiptNo::parse(piece) {
            parts.push(format!(
                "\"{}\"",
                r.to_string().replace('-', "").to_lowercase()
            ));
            continue;
        }
        let tokens: Vec<String> = spaced(piece)
            .split_whitespace()
            .map(str::to_owned)
            .collect();
        match tokens.len() {
            0 => {}
            1 if tokens[0].is_ascii() => parts.push(format!("\"{}\"*", tokens[0])),
            _ => parts.push(format!("\"{}\"", tokens.join(" "))),
        }
    }
    (!parts.is_empty()).then(|| parts.join(" AND "))
}

impl Store {
    /// Cases matching the query, newest first.
    pub fn search(&self, input: &str, limit: u32) -> Result<Vec<CaseRow>, StoreError> {
        self.search_by(input, None, limit)
    }

    /// The same; with `clerk`, only the cases that clerk took in.
    pub fn search_by(
        &self,
        input: &str,
        clerk: Option<&str>,
        limit: u32,
    ) -> Result<Vec<CaseRow>, StoreError> {
        let Some(q) = fts_query(input) else {
            return Ok(Vec::new());
        };
        let mut conn = self.conn.lock().unwrap();
        self.catch_up(&mut conn)?;
        let mut st = conn.prepare_cached(&format!(
            "SELECT {CASE_COLUMNS} FROM cases_fts f JOIN cases c ON c.rowid = f.rowid \
             WHERE cases_fts MATCH ?1 AND (?3 IS NULL OR c.clerk_id = ?3) ORDER BY f.rowid DESC LIMIT ?2"
        ))?;
        let rows = st.query_map(params![q, limit, clerk], case_row)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn queries() {
        assert_eq!(fts_query("李四").as_deref(), Some("\"李 四\""));
        assert_eq!(
            fts_query("3201-K7QM-000123-H").as_deref(),
            Some("\"3201k7qm000123h\""),
            "a valid number"
        );
        assert_eq!(
            fts_query("3201-K7QM-000123-X").as_deref(),
            Some("\"3201 k7qm 000123 x\""),
            "a mistyped one: parts"
        );
        assert_eq!(
            fts_query("1234 食品").as_deref(),
            Some("\"1234\"* AND \"食 品\"")
        );
        assert_eq!(
            fts_query(" \" * ").as_deref(),
            None,
            "FTS syntax is never passed through"
        );
        assert_eq!(
            fts_query("a\"b OR c").as_deref(),
            Some("\"a b\" AND \"or\"* AND \"c\"*")
        );
    }
}
