//! Catalogue version drift (sync-protocol §5): which downloaded version is
//! in effect on a day, and what changed for one matter between the
//! version a draft pinned and the one in effect — the banner a clerk sees.

use crate::catalogue::{DayUnit, Matter};
use crate::date::Date;

/// A catalogue version the window holds: (version, effective_from, withdrawn).
pub type Held<'a> = (u32, &'a str, bool);

/// The version in effect on `day`: the highest one not withdrawn whose
/// `effective_from` has come. None when no held version is in effect yet.
pub fn in_effect(held: &[Held<'_>], day: Date) -> Option<u32> {
    held.iter()
        .filter(|(_, from, withdrawn)| {
            !withdrawn && Date::parse_iso(from).is_some_and(|f| f <= day)
        })
        .map(|h| h.0)
        .max()
}

/// One difference, in both languages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    pub zh: String,
    pub en: String,
}

fn ch(zh: String, en: String) -> Change {
    Change { zh, en }
}

fn yuan(fen: u64) -> String {
    format!("{}.{:02}", fen / 100, fen % 100)
}

fn limit(l: crate::catalogue::TimeLimit) -> (String, String) {
    match l.unit {
        DayUnit::Working => (
            format!("{} 个工作日", l.value),
            format!("{} working days", l.value),
        ),
        DayUnit::Calendar => (format!("{} 日", l.value), format!("{} days", l.value)),
    }
}

/// What changed for a matter from `old` to `new` (None: the matter is
/// gone in the new version). Empty when nothing a clerk checks changed.
pub fn matter_changes(old: &Matter, new: Option<&Matter>) -> Vec<Change> {
    let Some(new) = new else {
        return vec![ch(
            format!("新版目录已取消事项「{}」，请改选现行事项", old.name),
            format!(
                "The new catalogue no longer has \"{}\"; choose a current matter",
                old.name
            ),
        )];
    };
    let mut out = Vec::new();
    for m in &new.materials {
        match old.materials.iter().find(|o| o.id == m.id) {
            None if m.required => out.push(ch(
                format!("新增必交材料：{}", m.name),
                format!("New required material: {}", m.name),
            )),
            None => out.push(ch(
                format!("新增材料：{}", m.name),
                format!("New material: {}", m.name),
            )),
            Some(o) if o.required != m.required => out.push(if m.required {
                ch(
                    format!("「{}」改为必交", m.name),
                    format!("\"{}\" is now required", m.name),
                )
            } else {
                ch(
                    format!("「{}」不再必交", m.name),
                    format!("\"{}\" is no longer required", m.name),
                )
            }),
            Some(_) => {}
        }
    }
    for o in &old.materials {
        if !new.materials.iter().any(|m| m.id == o.id) {
            out.push(ch(
                format!("不再需要材料：{}", o.name),
                format!("No longer needed: {}", o.name),
            ));
        }
    }
    let total = |m: &Matter| m.fee.total_fen();
    if total(old) != total(new) {
        out.push(ch(
            format!(
                "收费由 {} 元调整为 {} 元",
                yuan(total(old)),
                yuan(total(new))
            ),
            format!(
                "Fee changed from ¥{} to ¥{}",
                yuan(total(old)),
                yuan(total(new))
            ),
        ));
    }
    if old.promised_limit != new.promised_limit {
        let (a, b) = (limit(old.promised_limit), limit(new.promised_limit));
        out.push(ch(
            format!("承诺时限由 {} 改为 {}", a.0, b.0),
            format!("Promised limit changed from {} to {}", a.1, b.1),
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalogue::{Catalogue, FeeItem};

    fn day(s: &str) -> Date {
        Date::parse_iso(s).unwrap()
    }

    #[test]
    fn the_newest_effective_unwithdrawn_version_is_in_effect() {
        let held = [
            (1, "2026-01-01", false),
            (2, "2026-03-01", true),
            (3, "2026-03-10", false),
        ];
        assert_eq!(in_effect(&held, day("2026-03-02")), Some(1), "v2 withdrawn");
        assert_eq!(in_effect(&held, day("2026-03-10")), Some(3));
        assert_eq!(in_effect(&held, day("2025-12-31")), None);
    }

    #[test]
    fn material_fee_and_limit_changes_are_listed() {
        let c = Catalogue::parse(crate::SAMPLE_CATALOGUE_JSON).unwrap();
        let old = c
            .matters
            .iter()
            .find(|m| m.materials.len() >= 2)
            .unwrap()
            .clone();
        assert!(matter_changes(&old, Some(&old)).is_empty());
        let mut new = old.clone();
        let mut extra = new.materials[0].clone();
        extra.id = "m-new".into();
        extra.name = "消防安全检查合格证明".into();
        extra.required = true;
        new.materials.push(extra);
        let gone = new.materials.remove(1);
        new.fee.items.push(FeeItem {
            name: "工本费".into(),
            amount_fen: 1000,
            unit: "件".into(),
            basis: "示例".into(),
            condition: None,
        });
        new.promised_limit.value += 5;
        let zh: Vec<String> = matter_changes(&old, Some(&new))
            .into_iter()
            .map(|c| c.zh)
            .collect();
        assert!(
            zh.contains(&"新增必交材料：消防安全检查合格证明".to_owned()),
            "{zh:?}"
        );
        assert!(
            zh.contains(&format!("不再需要材料：{}", gone.name)),
            "{zh:?}"
        );
        assert!(
            zh.iter()
                .any(|z| z.starts_with("收费由") && z.contains("10.00 元")),
            "{zh:?}"
        );
        assert!(zh.iter().any(|z| z.starts_with("承诺时限由")), "{zh:?}");
        assert!(matter_changes(&old, None)[0].zh.contains("已取消"));
    }
}
