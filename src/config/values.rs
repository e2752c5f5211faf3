//! The values a setting of `proviso.yaml` and the flag of the same name
//! take, parsed the same way for both.

use crate::ast::Severity;
use clap::ValueEnum;

/// A report's format.
#[derive(ValueEnum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// Snippets of the manifest with the offending value underlined.
    Human,
    /// `path:line:col: severity[rule-id]: message`, one finding a line.
    Short,
    /// A versioned JSON document (docs/json-output.md).
    Json,
    /// SARIF 2.1.0, for code-scanning services.
    Sarif,
    /// JUnit XML: one test case per rule and manifest.
    Junit,
    /// GitHub Actions workflow commands (annotations).
    Github,
    /// One self-contained HTML page: partners × rules, and each finding
    /// with its manifest's lines.
    Html,
}

/// The lowest severity that fails a run.
#[derive(ValueEnum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum FailOn {
    Error,
    Warning,
    Note,
    Never,
}

impl FailOn {
    /// The severity at and above which a finding fails the run; `None`
    /// for `never`.
    pub fn threshold(self) -> Option<Severity> {
        match self {
            FailOn::Error => Some(Severity::Error),
            FailOn::Warning => Some(Severity::Warning),
            FailOn::Note => Some(Severity::Note),
            FailOn::Never => None,
        }
    }
}

/// The largest `--max-file-size`: a manifest is a text a person reviews,
/// and the loader's budgets grow with the size it allows.
pub const MAX_FILE_SIZE_LIMIT: u64 = 1024 * 1024 * 1024;

/// A file size as `--max-file-size` and `max_file_size:` take it: bytes,
/// or a number with KiB, MiB or GiB (or K, M, G).
pub fn parse_size(s: &str) -> Result<u64, String> {
    let t = s.trim();
    let (num, mult) = if let Some(n) = t.strip_suffix("GiB").or_else(|| t.strip_suffix('G')) {
        (n, 1024 * 1024 * 1024)
    } else if let Some(n) = t.strip_suffix("MiB").or_else(|| t.strip_suffix('M')) {
        (n, 1024 * 1024)
    } else if let Some(n) = t.strip_suffix("KiB").or_else(|| t.strip_suffix('K')) {
        (n, 1024)
    } else {
        (t, 1)
    };
    let not_a_size = || {
        format!(
            "`{s}` is not a size; write bytes, or a number with KiB, MiB or GiB, for example 8MiB"
        )
    };
    let digits = num.trim();
    let n = match digits.parse::<u64>() {
        Ok(n) => n,
        Err(_) if !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()) => u64::MAX,
        Err(_) => return Err(not_a_size()),
    };
    match n.checked_mul(mult) {
        Some(0) => Err("the size must be at least 1 byte".to_string()),
        Some(size) if size <= MAX_FILE_SIZE_LIMIT => Ok(size),
        _ => Err(format!("`{s}` is more than the largest allowed size, 1GiB")),
    }
}

/// A number of days as `--max-waiver-days` and `max_waiver_days:` take it.
pub fn parse_days(s: &str) -> Result<i64, String> {
    match s.trim().parse::<i64>() {
        Ok(n) if (0..=36_500).contains(&n) => Ok(n),
        Ok(_) => Err(format!(
            "`{s}` is out of range; write a number of days from 0 to 36500"
        )),
        Err(_) => Err(format!(
            "`{s}` is not a number of days; write a whole number, for example 365"
        )),
    }
}
