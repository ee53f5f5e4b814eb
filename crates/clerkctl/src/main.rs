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
  clerkctl deadline --from YYYY-MM-DD --days N --unit working|calendar
                   [--calendar-dir <dir>] [--json]
      the due date on the working-day calendar (start day = day 0): the
      official schedule where it is loaded (bundled, or the machine's
      calendar folder), else the holiday law alone, marked 暂定/provisional
      (exit 0 either way; --json gives {\"due\": …, \"provisional\": true|false}).
  clerkctl calendar status [--calendar-dir <dir>]
      each year 2025–2050: official (with its notice) or law-only (暂定).
  clerkctl calendar check <year.json>
      check one year's State Council schedule file without loading it.
  clerkctl calendar import <year.json> [--calendar-dir <dir>]
      check it and put it into the machine's calendar folder (default
      /etc/window-clerk/calendar, %ProgramData%\\WindowClerk\\calendar): the
      app uses it from its next start, with or without the platform.
  clerkctl catalogue search <query>
      matters of the bundled catalogue whose name or code contains <query>.
  clerkctl render --list
      the document types (收件凭证, 受理通知书, …).
  clerkctl render <type> (--sample | --case <case.json>) --out <file.pdf>
                  [--config <clerk.toml>] [--templates <dir>] [--seal <file.png>]
                  [--font <file> [--font-index N]] [--preview|--copy]
      render one document with sample data or for a case, using the hall's
      template from <dir>/<type>.json when there is one (else the bundled
      template). A case file is the intake form as the app keeps it
      (matter_code, matter_version, applicant, materials, decision) plus
      optional received_on (YYYY-MM-DD) and receipt_no; it is checked by the
      same rules as at the window. --config takes the hall's names, notice
      settings, templates and seal from a machine config.
      See data/samples/case-food-gap.json.
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
        ["calendar", "status", opts @ ..] => calendar_status(opts),
        ["calendar", "check", file] => calendar_check(file),
        ["calendar", "import", file, opts @ ..] => calendar_import(file, opts),
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
    let cal = machine_calendar(opts);
    match cal.due_date(from, TimeLimit { value: days, unit }, StartDay::DayZero) {
        Ok(due) => {
            // A calendar-day limit does not look at holidays: never provisional.
            let years = match unit {
                DayUnit::Working => cal.provisional_years(from, due),
                DayUnit::Calendar => Vec::new(),
            };
            let provisional = !years.is_empty();
            if json {
                println!(
                    "{}",
                    json!({ "due": due.to_string(), "provisional": provisional, "provisional_years": years })
                );
            } else if provisional {
                println!(
                    "{due} (暂定 / provisional: no official schedule for {years:?}; {} / {})",
                    clerk_core::calendar::PROVISIONAL_NOTE_ZH,
                    clerk_core::calendar::PROVISIONAL_NOTE_EN
                );
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

fn opt<'a>(opts: &[&'a str], name: &str) -> Option<&'a str> {
    opts.windows(2).find(|w| w[0] == name).map(|w| w[1])
}

fn calendar_dir(opts: &[&str]) -> std::path::PathBuf {
    opt(opts, "--calendar-dir")
        .map(Into::into)
        .unwrap_or_else(|| clerk_config::calendar_dir(&clerk_config::default_path()))
}

/// The bundled calendar plus the machine's calendar folder, as the app
/// reads them at start (the platform's years live in the app's store).
fn machine_calendar(opts: &[&str]) -> WorkCalendar {
    let mut cal = WorkCalendar::bundled();
    let (_, problems) = clerk_config::load_calendar_dir(&calendar_dir(opts), &mut cal);
    for p in problems {
        eprintln!("clerkctl: calendar file skipped: {p}");
    }
    cal
}

fn calendar_status(opts: &[&str]) -> ExitCode {
    use clerk_core::calendar::{YearBasis, LAW_FROM_YEAR, LAW_ONLY_LAST_YEAR};
    let cal = machine_calendar(opts);
    for y in LAW_FROM_YEAR..=LAW_ONLY_LAST_YEAR {
        match cal.basis(y) {
            YearBasis::Official => println!("{y}\tofficial\t{}", cal.source(y).unwrap_or("")),
            _ => println!("{y}\tlaw-only\t暂定：仅按《全国年节及纪念日放假办法》推算，无调休"),
        }
    }
    ExitCode::SUCCESS
}

fn read_year(file: &str) -> Result<(clerk_core::calendar::YearSchedule, String), ExitCode> {
    let text = std::fs::read_to_string(file).map_err(|e| {
        eprintln!("clerkctl calendar: cannot read {file}: {e} / 无法读取文件");
        ExitCode::from(2)
    })?;
    match clerk_core::calendar::YearSchedule::parse(&text) {
        Ok(y) => Ok((y, text)),
        Err(e) => {
            eprintln!("clerkctl calendar: {file} refused: {e} / {}", e.zh());
            Err(ExitCode::from(1))
        }
    }
}

fn calendar_check(file: &str) -> ExitCode {
    match read_year(file) {
        Ok((y, _)) => {
            println!(
                "valid schedule for {}: {} holidays, {} make-up working days ({})",
                y.year,
                y.holidays.len(),
                y.make_up.len(),
                y.source
            );
            ExitCode::SUCCESS
        }
        Err(code) => code,
    }
}

fn calendar_import(file: &str, opts: &[&str]) -> ExitCode {
    let (y, text) = match read_year(file) {
        Ok(v) => v,
        Err(code) => return code,
    };
    let dir = calendar_dir(opts);
    let target = dir.join(format!("{}.json", y.year));
    // Written beside, then renamed: the app never reads half a file.
    let tmp = dir.join(format!(".{}.json.tmp", y.year));
    let written = std::fs::create_dir_all(&dir)
        .and_then(|()| std::fs::write(&tmp, &text))
        .and_then(|()| std::fs::rename(&tmp, &target));
    match written {
        Ok(()) => {
            println!(
                "imported the {} schedule into {} (the app uses it from its next start)",
                y.year,
                target.display()
            );
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("clerkctl calendar import: cannot write {}: {e} / 无法写入日历文件夹（需要管理员权限？）", target.display());
            ExitCode::from(1)
        }
    }
}

fn catalogue() -> Catalogue {
    Catalogue::parse(clerk_core::SAMPLE_CATALOGUE_JSON).expect("bundled catalogue is valid")
}

fn search(query: &str) -> ExitCode {
    let cat = catalogue();
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

#[derive(serde::Deserialize)]
struct CaseFile {
    #[serde(flatten)]
    form: clerk_core::intake::IntakeForm,
    received_on: Option<String>,
    receipt_no: Option<String>,
}

/// The values for `--case`: the form checked and prepared by clerk-core as
/// at the window, then filled like the app fills a document.
fn case_values(
    kind: &str,
    file: &str,
    cfg: Option<&clerk_config::Loaded>,
) -> Result<clerk_print::Values, String> {
    let text = std::fs::read_to_string(file).map_err(|e| format!("cannot read {file}: {e}"))?;
    let cf: CaseFile = serde_json::from_str(&text)
        .map_err(|e| format!("{file} is not a case file: {e}\n{file} 不是办件文件：{e}"))?;
    let catalogue = catalogue();
    let today = match &cf.received_on {
        Some(d) => Date::parse_iso(d).ok_or_else(|| {
            format!("received_on {d:?}: not a date (YYYY-MM-DD)\nreceived_on 不是日期")
        })?,
        None => today(),
    };
    let calendar = WorkCalendar::bundled();
    let start_day = match cfg.map(|c| c.config.deadlines.start_day.as_str()) {
        Some("day_one") => StartDay::DayOne,
        _ => StartDay::DayZero,
    };
    let case = clerk_core::intake::prepare(
        &cf.form,
        &clerk_core::intake::IntakeContext {
            catalogue: &catalogue,
            calendar: &calendar,
            today,
            start_day,
        },
    )
    .map_err(|errs| {
        errs.iter()
            .map(|e| format!("{}: {} / {}", e.field, e.zh, e.en))
            .collect::<Vec<_>>()
            .join("\n")
    })?;
    let matter = catalogue
        .matter(&case.matter_code)
        .ok_or("matter not in the catalogue")?;
    let needed: Vec<&str> = clerk_core::intake::documents_for(case.status, matter)
        .into_iter()
        .map(clerk_print::template_kind)
        .collect();
    let issued = needed.contains(&kind) || (kind == "receipt_80mm" && needed.contains(&"receipt"));
    if !issued {
        eprintln!(
            "note: this case ({}) is not issued a {kind}; it needs {} / 注意：该办件不出具此类文书",
            case.status.as_str(),
            needed.join(", ")
        );
    }
    let sample = clerk_print::sample_values(kind);
    let from_sample = |k: &str| sample.text.get(k).cloned().unwrap_or_default();
    let config = cfg.map(|c| &c.config);
    let pick = |v: Option<&Option<String>>, k: &str| {
        v.and_then(|v| v.clone()).unwrap_or_else(|| from_sample(k))
    };
    let receipt_no = cf.receipt_no.unwrap_or_else(|| from_sample("receipt_no"));
    let counter = clerk_core::receipt::ReceiptNo::parse(&receipt_no)
        .map(|r| r.counter())
        .unwrap_or(1);
    let input = clerk_print::CaseDocInput {
        receipt_no,
        doc_no: clerk_print::doc_no(kind, today.year(), counter),
        hall_name: config
            .map(|c| c.hall.name.clone())
            .unwrap_or_else(|| from_sample("hall_name")),
        window: config
            .map(|c| c.window.name.clone())
            .unwrap_or_else(|| from_sample("window")),
        clerk: config
            .map(|c| format!("{}号窗口", c.window.code))
            .unwrap_or_else(|| from_sample("clerk")),
        received_at: format!("{today} 09:00"),
        reconsideration_body: pick(
            config.map(|c| &c.notices.reconsideration_body),
            "reconsideration_body",
        ),
        court: pick(config.map(|c| &c.notices.court), "court"),
        supervision_phone: pick(
            config.map(|c| &c.notices.supervision_phone),
            "supervision_phone",
        ),
        query_url: pick(config.map(|c| &c.notices.query_url), "query_url"),
        verify_code: "SAMPLE".into(),
    };
    Ok(clerk_print::values_for_case(&case, matter, &input))
}

fn render(kind: &str, opts: &[&str]) -> ExitCode {
    let get = |k: &str| {
        opts.iter()
            .position(|o| *o == k)
            .and_then(|i| opts.get(i + 1))
            .copied()
    };
    let case = get("--case");
    if !opts.contains(&"--sample") && case.is_none() {
        eprintln!("render needs --sample or --case <case.json>\n{USAGE}");
        return ExitCode::from(2);
    }
    let Some(out) = get("--out") else {
        eprintln!("render needs --out <file.pdf>\n{USAGE}");
        return ExitCode::from(2);
    };
    let cfg = match get("--config") {
        Some(p) => {
            let l = clerk_config::load(std::path::Path::new(p));
            if let Some(e) = &l.problem {
                eprintln!("{e}\n{}", e.zh());
                return ExitCode::from(2);
            }
            if l.path.is_none() {
                eprintln!("no config at {p} / 没有该配置文件");
                return ExitCode::from(2);
            }
            Some(l)
        }
        None => None,
    };
    let templates = get("--templates")
        .map(std::path::PathBuf::from)
        .or_else(|| {
            let c = cfg.as_ref()?;
            c.config.notices.templates.as_deref().map(|p| c.resolve(p))
        });
    let template = match clerk_print::load_template(kind, templates.as_deref()) {
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
    let seal_path = get("--seal").map(std::path::PathBuf::from).or_else(|| {
        let c = cfg.as_ref()?;
        c.config.notices.seal_image.as_deref().map(|p| c.resolve(p))
    });
    let seal = match seal_path
        .map(|p| clerk_print::SealImage::load(&p))
        .transpose()
    {
        Ok(s) => s,
        Err(e) => {
            eprintln!("{e}\n{}", e.zh());
            return ExitCode::from(2);
        }
    };
    let marking = if opts.contains(&"--preview") {
        clerk_print::Marking::Preview
    } else if opts.contains(&"--copy") {
        clerk_print::Marking::Copy
    } else {
        clerk_print::Marking::Original
    };
    let values = match case {
        Some(file) => match case_values(kind, file, cfg.as_ref()) {
            Ok(v) => v,
            Err(e) => {
                eprintln!("{e}");
                return ExitCode::from(1);
            }
        },
        None => clerk_print::sample_values(kind),
    };
    let rendered = clerk_print::render_with_seal(&template, &values, &font, marking, seal.as_ref());
    match rendered {
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
