//! `clerkctl`: Window Clerk's rules on the command line, for IT staff and
//! scripts. A thin shell over clerk-core: no rule lives here.

use clerk_core::calendar::{StartDay, WorkCalendar};
use clerk_core::catalogue::{Catalogue, DayUnit, TimeLimit};
use clerk_core::date::Date;
use clerk_core::ids::{self, CitizenIdKind};
use serde_json::json;
use std::process::ExitCode;

const USAGE: &str = "\
usage:
  clerkctl check-id <value> [--json]
      citizen ID (GB 11643, also HK/Macao/Taiwan residence permits and the 2023
      foreign permanent-residence card), unified social credit code (GB 32100)
      or organisation code (GB 11714). Exit 0 when valid, 1 when not.
  clerkctl deadline --from YYYY-MM-DD --days N --unit working|calendar [--json]
      the due date on the official working-day calendar (start day = day 0).
  clerkctl catalogue search <query>
      matters of the bundled catalogue whose name or code contains <query>.
  clerkctl render --list
      the document types (收件凭证, 受理通知书, …).
  clerkctl render <type> --sample --out <file.pdf> [--templates <dir>] [--font <file> [--font-index N]] [--preview|--copy]
      render one document with sample data, using the hall's template from
      <dir>/<type>.json when there is one (else the bundled template).
";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let json = args.iter().any(|a| a == "--json");
    let rest: Vec<&str> = args
        .iter()
        .map(String::as_str)
        .filter(|a| *a != "--json")
        .collect();
    match rest.as_slice() {
        ["check-id", value] => check_id(value, json),
        ["deadline", opts @ ..] => deadline(opts, json),
        ["catalogue", "search", query] => search(query),
        ["catalogue", "search"] => search(""),
        ["render", "--list"] => {
            for (kind, name) in clerk_print::KINDS {
                println!("{kind}\t{name}");
            }
            ExitCode::SUCCESS
        }
        ["render", kind, opts @ ..] => render(kind, opts),
        _ => {
            eprint!("{USAGE}");
            ExitCode::from(2)
        }
    }
}

/// Today in China Standard Time (UTC+8), the clock the law counts in.
fn today() -> Date {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0);
    Date::from_days_since_epoch((secs + 8 * 3600).div_euclid(86_400))
}

fn check_id(value: &str, json: bool) -> ExitCode {
    let v = value.trim();
    let digits17 =
        v.len() == 18 && v.is_char_boundary(17) && v[..17].bytes().all(|b| b.is_ascii_digit());
    let (kind, result) = if v.chars().count() == 18 {
        match ids::check_citizen_id(v, today()) {
            Ok(id) => {
                let kind = match id.kind {
                    CitizenIdKind::ResidentId => "citizen_id",
                    CitizenIdKind::HkMacaoTaiwanPermit => "residence_permit",
                    CitizenIdKind::ForeignPermanentResident => "foreign_permanent_resident",
                };
                (kind, Ok(()))
            }
            // An all-digit USCC has the citizen ID's shape: try it too.
            Err(citizen_err) => match ids::check_uscc(v) {
                Ok(()) => ("uscc", Ok(())),
                Err(_) if digits17 => (
                    "citizen_id",
                    Err((citizen_err.to_string(), citizen_err.zh())),
                ),
                Err(uscc_err) => ("uscc", Err((uscc_err.to_string(), uscc_err.zh()))),
            },
        }
    } else if matches!(v.chars().count(), 9 | 10) {
        (
            "org_code",
            ids::check_org_code(v).map_err(|e| (e.to_string(), e.zh())),
        )
    } else {
        let n = v.chars().count();
        (
            "unknown",
            Err((
                format!("length {n} matches no known identifier (18, 9 or 10 characters)"),
                format!("长度 {n} 位，不是已知的证件号码或代码"),
            )),
        )
    };
    let valid = result.is_ok();
    if json {
        let error = result.as_ref().err().map(|(en, _)| en.clone());
        println!(
            "{}",
            json!({ "valid": valid, "kind": kind, "error": error })
        );
    } else {
        match &result {
            Ok(()) => println!("valid {kind}"),
            Err((en, zh)) => println!("invalid {kind}: {en} / {zh}"),
        }
    }
    if valid {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}

fn deadline(opts: &[&str], json: bool) -> ExitCode {
    let get = |name: &str| opts.windows(2).find(|w| w[0] == name).map(|w| w[1]);
    let from = get("--from").and_then(Date::parse_iso);
    let days = get("--days").and_then(|d| d.parse::<u32>().ok());
    let unit = match get("--unit").unwrap_or("working") {
        "working" => Some(DayUnit::Working),
        "calendar" => Some(DayUnit::Calendar),
        _ => None,
    };
    let (Some(from), Some(days), Some(unit)) = (from, days, unit) else {
        eprintln!("clerkctl deadline: --from must be YYYY-MM-DD, --days a whole number, --unit working or calendar");
        eprint!("{USAGE}");
        return ExitCode::from(2);
    };
    match WorkCalendar::bundled().due_date(from, TimeLimit { value: days, unit }, StartDay::DayZero)
    {
        Ok(due) => {
            if json {
                println!("{}", json!({ "due": due.to_string() }));
            } else {
                println!("{due}");
            }
            ExitCode::SUCCESS
        }
        Err(e) => {
            if json {
                println!("{}", json!({ "due": null, "error": e.to_string() }));
            } else {
                eprintln!("{e} / {}", e.zh());
            }
            ExitCode::from(1)
        }
    }
}

fn search(query: &str) -> ExitCode {
    let cat =
        Catalogue::parse(clerk_core::SAMPLE_CATALOGUE_JSON).expect("bundled catalogue is valid");
    let hits = cat.search(query);
    for m in &hits {
        let dept = cat
            .department(&m.department)
            .map(|d| d.name.as_str())
            .unwrap_or("");
        println!("{}\t{}\t{}", m.code, m.name, dept);
    }
    if hits.is_empty() {
        eprintln!("no matter matches {query:?} / 没有匹配的事项");
        return ExitCode::from(1);
    }
    ExitCode::SUCCESS
}

fn render(kind: &str, opts: &[&str]) -> ExitCode {
    let get = |k: &str| {
        opts.iter()
            .position(|o| *o == k)
            .and_then(|i| opts.get(i + 1))
            .copied()
    };
    if !opts.contains(&"--sample") {
        eprintln!("render needs --sample (rendering a stored case comes with the app's print journal)\n{USAGE}");
        return ExitCode::from(2);
    }
    let Some(out) = get("--out") else {
        eprintln!("render needs --out <file.pdf>\n{USAGE}");
        return ExitCode::from(2);
    };
    let template =
        match clerk_print::load_template(kind, get("--templates").map(std::path::Path::new)) {
            Ok(t) => t,
            Err(e) => {
                eprintln!("{e}\n{}", e.zh());
                return ExitCode::from(2);
            }
        };
    let font = match get("--font") {
        Some(f) => clerk_print::Font::load(
            std::path::Path::new(f),
            get("--font-index")
                .and_then(|i| i.parse().ok())
                .unwrap_or(0),
        ),
        None => clerk_print::Font::default_font(),
    };
    let font = match font {
        Ok(f) => f,
        Err(e) => {
            eprintln!("{e}\n{}", e.zh());
            return ExitCode::from(1);
        }
    };
    let marking = if opts.contains(&"--preview") {
        clerk_print::Marking::Preview
    } else if opts.contains(&"--copy") {
        clerk_print::Marking::Copy
    } else {
        clerk_print::Marking::Original
    };
    match clerk_print::render(&template, &clerk_print::sample_values(kind), &font, marking) {
        Ok(pdf) => match std::fs::write(out, &pdf) {
            Ok(()) => {
                println!("{out}: {} bytes", pdf.len());
                ExitCode::SUCCESS
            }
            Err(e) => {
                eprintln!("cannot write {out}: {e}");
                ExitCode::from(1)
            }
        },
        Err(e) => {
            eprintln!("{e}\n{}", e.zh());
            ExitCode::from(1)
        }
    }
}
