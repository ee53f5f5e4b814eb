//! `clerkctl`: Window Clerk's rules on the command line, for IT staff and
//! scripts. A thin shell over clerk-core: no rule lives here.

use clerk_core::calendar::{StartDay, WorkCalendar};
use clerk_core::catalogue::{Catalogue, DayUnit, TimeLimit};
use clerk_core::date::Date;
use clerk_core::ids::{self, CitizenIdKind};
use serde_json::json;
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

/// Window Clerk's rules on the command line (the same clerk-core code as
/// the app): identifiers, deadlines, the holiday calendar, the catalogue,
/// documents.
#[derive(Parser)]
#[command(name = "clerkctl", version, about, long_about = None)]
struct Cli {
    /// Print the answer as JSON (check-id, deadline).
    #[arg(long, global = true)]
    json: bool,
    #[command(subcommand)]
    command: Cmd,
}

#[derive(Subcommand)]
enum Cmd {
    /// Check a citizen ID (GB 11643, also HK/Macao/Taiwan residence permits
    /// and the 2023 foreign permanent-residence card), a unified social
    /// credit code (GB 32100) or an organisation code (GB 11714). Exit 0
    /// when valid, 1 when not.
    CheckId { value: String },
    /// The due date on the working-day calendar (start day = day 0): the
    /// official schedule where it is loaded (bundled, or the machine's
    /// calendar folder), else the holiday law alone, marked 暂定/provisional
    /// (exit 0 either way; --json gives {"due", "provisional",
    /// "provisional_years"}).
    Deadline {
        /// The start day, YYYY-MM-DD.
        #[arg(long, value_parser = parse_date)]
        from: Date,
        /// How many days.
        #[arg(long)]
        days: u32,
        #[arg(long, value_enum, default_value_t = Unit::Working)]
        unit: Unit,
        /// The machine's calendar folder (default beside the machine config).
        #[arg(long)]
        calendar_dir: Option<PathBuf>,
    },
    /// The holiday calendar: status, check or import a year's schedule.
    Calendar {
        #[command(subcommand)]
        action: CalendarCmd,
    },
    /// The bundled catalogue.
    Catalogue {
        #[command(subcommand)]
        action: CatalogueCmd,
    },
    /// Render one document (收件凭证, 受理通知书, …) with sample data or for a
    /// case, using the hall's template from <dir>/<type>.json when there is
    /// one (else the bundled template). A case file is the intake form as the
    /// app keeps it (matter_code, matter_version, applicant, materials,
    /// decision) plus optional received_on (YYYY-MM-DD) and receipt_no; it is
    /// checked by the same rules as at the window. See
    /// data/samples/case-food-gap.json.
    Render(RenderArgs),
    /// This PC's audit trail.
    Audit {
        #[command(subcommand)]
        action: AuditCmd,
    },
    /// Shell completions (bash, zsh, fish, powershell, elvish) on stdout.
    Completions { shell: clap_complete::Shell },
}

#[derive(Subcommand)]
enum AuditCmd {
    /// Recompute the SM3 chain of every audit row (as the signed-in user
    /// whose keyring holds the database key; the app must be closed). Exit
    /// 0 when intact, 1 naming the first row that does not fit (edited,
    /// deleted, or written past the chain), 2 when the store cannot be
    /// opened.
    Verify {
        /// The app's data folder (default: WINDOW_CLERK_DATA_DIR, else the
        /// user's local app-data folder).
        #[arg(long)]
        data_dir: Option<PathBuf>,
    },
}

#[derive(Clone, Copy, ValueEnum)]
enum Unit {
    Working,
    Calendar,
}

#[derive(Subcommand)]
enum CalendarCmd {
    /// Each year 2025–2050: official (with its notice) or law-only (暂定).
    Status {
        #[arg(long)]
        calendar_dir: Option<PathBuf>,
    },
    /// Check one year's State Council schedule file without loading it.
    Check { file: String },
    /// Check it and put it into the machine's calendar folder (default
    /// /etc/window-clerk/calendar, %ProgramData%\WindowClerk\calendar): the
    /// app uses it from its next start, with or without the platform.
    Import {
        file: String,
        #[arg(long)]
        calendar_dir: Option<PathBuf>,
    },
}

#[derive(Subcommand)]
enum CatalogueCmd {
    /// Matters whose name, code or pinyin matches <query>.
    Search { query: Option<String> },
}

#[derive(clap::Args)]
struct RenderArgs {
    /// The document type (see --list).
    #[arg(required_unless_present = "list")]
    kind: Option<String>,
    /// List the document types.
    #[arg(long)]
    list: bool,
    /// Fill with sample data.
    #[arg(long, conflicts_with = "case")]
    sample: bool,
    /// Fill for this case file.
    #[arg(long)]
    case: Option<String>,
    /// Where the PDF goes.
    #[arg(long, required_unless_present = "list")]
    out: Option<String>,
    /// The hall's names, notice settings, templates and seal from a machine config.
    #[arg(long)]
    config: Option<String>,
    #[arg(long)]
    templates: Option<PathBuf>,
    #[arg(long)]
    seal: Option<PathBuf>,
    #[arg(long)]
    font: Option<PathBuf>,
    #[arg(long, default_value_t = 0)]
    font_index: usize,
    /// Mark every page 预览 无效.
    #[arg(long, conflicts_with = "copy")]
    preview: bool,
    /// Mark it 副本.
    #[arg(long)]
    copy: bool,
}

fn parse_date(s: &str) -> Result<Date, String> {
    Date::parse_iso(s).ok_or_else(|| format!("{s:?} is not a date (YYYY-MM-DD) / 不是日期"))
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let json = cli.json;
    match cli.command {
        Cmd::CheckId { value } => check_id(&value, json),
        Cmd::Deadline {
            from,
            days,
            unit,
            calendar_dir,
        } => deadline(from, days, unit, calendar_dir, json),
        Cmd::Calendar { action } => match action {
            CalendarCmd::Status { calendar_dir } => calendar_status(calendar_dir),
            CalendarCmd::Check { file } => calendar_check(&file),
            CalendarCmd::Import { file, calendar_dir } => calendar_import(&file, calendar_dir),
        },
        Cmd::Catalogue {
            action: CatalogueCmd::Search { query },
        } => search(query.as_deref().unwrap_or("")),
        Cmd::Render(r) if r.list => {
            for (kind, name) in clerk_print::KINDS {
                println!("{kind}\t{name}");
            }
            ExitCode::SUCCESS
        }
        Cmd::Render(r) => render(r),
        Cmd::Audit {
            action: AuditCmd::Verify { data_dir },
        } => audit_verify(data_dir, json),
        Cmd::Completions { shell } => {
            use clap::CommandFactory;
            clap_complete::generate(
                shell,
                &mut Cli::command(),
                "clerkctl",
                &mut std::io::stdout(),
            );
            ExitCode::SUCCESS
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

fn deadline(from: Date, days: u32, unit: Unit, dir: Option<PathBuf>, json: bool) -> ExitCode {
    let unit = match unit {
        Unit::Working => DayUnit::Working,
        Unit::Calendar => DayUnit::Calendar,
    };
    let cal = machine_calendar(dir);
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

fn calendar_dir(dir: Option<PathBuf>) -> PathBuf {
    dir.unwrap_or_else(|| clerk_config::calendar_dir(&clerk_config::default_path()))
}

/// The bundled calendar plus the machine's calendar folder, as the app
/// reads them at start (the platform's years live in the app's store).
fn machine_calendar(dir: Option<PathBuf>) -> WorkCalendar {
    let mut cal = WorkCalendar::bundled();
    let (_, problems) = clerk_config::load_calendar_dir(&calendar_dir(dir), &mut cal);
    for p in problems {
        eprintln!("clerkctl: calendar file skipped: {p}");
    }
    cal
}

fn calendar_status(dir: Option<PathBuf>) -> ExitCode {
    use clerk_core::calendar::{YearBasis, LAW_FROM_YEAR, LAW_ONLY_LAST_YEAR};
    let cal = machine_calendar(dir);
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

fn calendar_import(file: &str, dir: Option<PathBuf>) -> ExitCode {
    let (y, text) = match read_year(file) {
        Ok(v) => v,
        Err(code) => return code,
    };
    let dir = calendar_dir(dir);
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
    /// The 经办人 as the notice names them (the app prints the signed-in
    /// clerk's name); the sample's when absent.
    clerk: Option<String>,
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
    let needed: Vec<&str> = clerk_core::intake::documents_for_case(&case, matter)
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
    let input = clerk_print::CaseDocInput {
        doc_no: clerk_print::doc_no(kind, today.year(), &receipt_no),
        receipt_no,
        hall_name: config
            .map(|c| c.hall.name.clone())
            .unwrap_or_else(|| from_sample("hall_name")),
        window: config
            .map(|c| c.window.name.clone())
            .unwrap_or_else(|| from_sample("window")),
        clerk: cf.clerk.clone().unwrap_or_else(|| from_sample("clerk")),
        received_at: format!("{today} 09:00"),
        // The deciding department and its reconsideration body: the
        // catalogue's, as the app prints them.
        agency: catalogue
            .department(&matter.department)
            .map(|d| d.name.clone())
            .unwrap_or_else(|| matter.department.clone()),
        reconsideration_body: catalogue
            .department(&matter.department)
            .and_then(|d| d.review_body.clone())
            .unwrap_or_default(),
        court: pick(config.map(|c| &c.notices.court), "court"),
        supervision_phone: pick(
            config.map(|c| &c.notices.supervision_phone),
            "supervision_phone",
        ),
        query_url: pick(config.map(|c| &c.notices.query_url), "query_url"),
        verify_code: "SAMPLE".into(),
        issued_on: today,
    };
    Ok(clerk_print::values_for_case(&case, matter, &input))
}

fn render(r: RenderArgs) -> ExitCode {
    let (Some(kind), Some(out)) = (r.kind.as_deref(), r.out.as_deref()) else {
        eprintln!("render needs <type> and --out <file.pdf> (see clerkctl render --help)");
        return ExitCode::from(2);
    };
    let case = r.case.as_deref();
    if !r.sample && case.is_none() {
        eprintln!("render needs --sample or --case <case.json> (see clerkctl render --help)");
        return ExitCode::from(2);
    }
    let cfg = match r.config.as_deref() {
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
    let templates = r.templates.clone().or_else(|| {
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
    let font = match &r.font {
        Some(f) => clerk_print::Font::load(f, r.font_index),
        None => clerk_print::Font::default_font(),
    };
    let font = match font {
        Ok(f) => f,
        Err(e) => {
            eprintln!("{e}\n{}", e.zh());
            return ExitCode::from(1);
        }
    };
    let seal_path = r.seal.clone().or_else(|| {
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
    let marking = if r.preview {
        clerk_print::Marking::Preview
    } else if r.copy {
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

fn audit_verify(data_dir: Option<PathBuf>, json: bool) -> ExitCode {
    let dir = data_dir.unwrap_or_else(|| clerk_app::paths::Paths::resolve().data_dir);
    if !dir.join(clerk_store::DB_FILE).exists() {
        eprintln!(
            "{} 中没有本机数据库 / no database in {}",
            dir.display(),
            dir.display()
        );
        return ExitCode::from(2);
    }
    let opened = clerk_secrets::OsKeyring::open()
        .map_err(|e| (e.zh(), e.to_string()))
        .and_then(|k| {
            clerk_store::Store::open(&dir, &k, || {
                Err(clerk_secrets::SecretError::Unavailable(
                    "no new database is made here".into(),
                ))
            })
            .map_err(|e| (e.zh(), e.en()))
        });
    let store = match opened {
        Ok(s) => s,
        Err((zh, en)) => {
            eprintln!("无法打开本机数据库：{zh} / cannot open the store: {en}");
            return ExitCode::from(2);
        }
    };
    let checked = store.verify_audit();
    // Opened only to read: numbers reserved at open go back.
    store.release_numbers();
    match checked {
        Ok(clerk_store::AuditCheck::Intact { rows, head }) => {
            if json {
                println!(
                    "{}",
                    json!({"intact": true, "rows": rows, "head": head.as_ref().map(|h| json!({"id": h.0, "link": h.1}))})
                );
            } else {
                println!("审计记录完整：{rows} 条 / the audit trail is intact: {rows} rows");
                if let Some((id, link)) = head {
                    println!("最后一条 / last row: {id} (SM3 {link})");
                }
            }
            ExitCode::SUCCESS
        }
        Ok(clerk_store::AuditCheck::Broken { id, why }) => {
            if json {
                println!(
                    "{}",
                    json!({"intact": false, "first_bad_row": id, "why": why})
                );
            } else {
                println!("审计记录第 {id} 条不符（被改动、删除或未入链）/ audit row {id} does not fit: {why}");
            }
            ExitCode::from(1)
        }
        Err(e) => {
            eprintln!("读取审计记录失败 / reading the audit trail failed: {e}");
            ExitCode::from(2)
        }
    }
}
