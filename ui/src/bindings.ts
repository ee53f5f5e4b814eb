// Generated from crates/clerk-ipc by `cargo xtask bindings`. Do not edit.

export type ErrorKind = "validation" | "not_found" | "config" | "storage" | "network" | "permission" | "conflict" | "internal";

export type CmdError = { kind: ErrorKind, 
/**
 * zh-CN message, shown by default.
 */
message: string, 
/**
 * English message, shown when the UI language is English.
 */
message_en: string, 
/**
 * The input field the error belongs to, when there is one.
 */
field: string | null, };

export type RunMode = "standalone" | "platform";

export type ConfigSource = "embedded_default" | "file";

export type CodeName = { code: string, name: string, };

export type CatalogueInfo = { version: number, published_at: string, matter_count: number, department_count: number, 
/**
 * True for the bundled sample catalogue (示例数据).
 */
sample: boolean, };

export type AppInfo = { version: string, hall: CodeName, window: CodeName, mode: RunMode, server_url: string | null, config_source: ConfigSource, 
/**
 * Set when the machine config file exists but could not be used; the
 * app then runs on the embedded default and the shell shows this.
 */
config_problem: CmdError | null, catalogue: CatalogueInfo, };

export type SyncStatus = { online: boolean, mode: RunMode, 
/**
 * Outbox items not yet acknowledged by the platform.
 */
unsent: number, 
/**
 * Age in seconds of the oldest unsent item, if any.
 */
oldest_unsent_secs: number | null, };

export type CaseKind = "instant" | "promised";

export type DayUnit = "working" | "calendar";

export type TimeLimit = { value: number, unit: DayUnit, };

export type MatterSummary = { code: string, name: string, department: string, case_kind: CaseKind, statutory_limit: TimeLimit, promised_limit: TimeLimit, fee_charged: boolean, material_count: number, };

export type UiLogLevel = "error" | "warn" | "info";
