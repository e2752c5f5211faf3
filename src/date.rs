//! Calendar dates (`YYYY-MM-DD`, proleptic Gregorian, UTC) and durations
//! in days, the two time types of the policy language.
//!
//! A date is stored as days since 1970-01-01 so that comparison and
//! arithmetic are integer operations.

use std::fmt;
use std::time::{SystemTime, UNIX_EPOCH};

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date(pub i64);

impl Date {
    /// Parses `YYYY-MM-DD`, rejecting impossible days such as `2019-02-30`.
    pub fn parse(text: &str) -> Option<Date> {
        let bytes = text.as_bytes();
        if bytes.len() != 10 || bytes.get(4) != Some(&b'-') || bytes.get(7) != Some(&b'-') {
            return None;
        }
        let digits = |r: std::ops::Range<usize>| -> Option<i64> {
            let s = text.get(r)?;
            if !s.bytes().all(|b| b.is_ascii_digit()) {
                return None;
            }
            s.parse().ok()
        };
        let (y, m, d) = (digits(0..4)?, digits(5..7)?, digits(8..10)?);
        if !(1..=12).contains(&m) || d < 1 || d > days_in_month(y, m) {
            return None;
        }
        Some(Date(days_from_civil(y, m, d)))
    }

    /// The current date in UTC.
    pub fn today_utc() -> Date {
        let secs = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_secs() as i64)
            .unwrap_or(0);
        Date(secs.div_euclid(86_400))
    }

    pub fn ymd(self) -> (i64, i64, i64) {
        civil_from_days(self.0)
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (y, m, d) = self.ymd();
        write!(f, "{y:04}-{m:02}-{d:02}")
    }
}

/// A duration: a number of days, and whether it was written in weeks, so
/// that a message shows it as the manifest or the policy wrote it (`2w`
/// stays `2w`, `999999999999d` stays in days). Durations compare by days.
#[derive(Clone, Copy, Debug)]
pub struct Days {
    pub days: i64,
    pub weeks: bool,
}

impl Days {
    /// A computed number of days.
    pub fn new(days: i64) -> Days {
        Days { days, weeks: false }
    }
}

impl PartialEq for Days {
    fn eq(&self, other: &Days) -> bool {
        self.days == other.days
    }
}

impl Eq for Days {}

impl PartialOrd for Days {
    fn partial_cmp(&self, other: &Days) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Days {
    fn cmp(&self, other: &Days) -> std::cmp::Ordering {
        self.days.cmp(&other.days)
    }
}

impl std::hash::Hash for Days {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.days.hash(state);
    }
}

impl fmt::Display for Days {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.weeks && self.days % 7 == 0 {
            write!(f, "{}w", self.days / 7)
        } else {
            write!(f, "{}d", self.days)
        }
    }
}

/// Parses a duration: a whole number of days (`30d`) or weeks (`2w`).
pub fn parse_duration(text: &str) -> Option<Days> {
    let (num, weeks) = match (text.strip_suffix('d'), text.strip_suffix('w')) {
        (Some(n), _) => (n, false),
        (_, Some(n)) => (n, true),
        _ => return None,
    };
    if num.is_empty() || !num.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let n: i64 = num.parse().ok()?;
    let days = if weeks { n.checked_mul(7)? } else { n };
    Some(Days { days, weeks })
}

fn is_leap(y: i64) -> bool {
    (y % 4 == 0 && y % 100 != 0) || y % 400 == 0
}

fn days_in_month(y: i64, m: i64) -> i64 {
    match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        _ if is_leap(y) => 29,
        _ => 28,
    }
}

// Howard Hinnant's days_from_civil and civil_from_days algorithms.
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (if m <= 2 { y + 1 } else { y }, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_round_trip_and_reject_impossible_days() {
        for s in ["1970-01-01", "2000-02-29", "2018-12-18", "2019-06-01"] {
            assert_eq!(Date::parse(s).unwrap().to_string(), s);
        }
        assert_eq!(Date::parse("1970-01-02").unwrap().0, 1);
        for s in [
            "2019-02-29",
            "2019-13-01",
            "2019-1-01",
            "19-01-01",
            "2019-01-32",
            "２019-01-01",
        ] {
            assert!(Date::parse(s).is_none(), "{s}");
        }
    }

    #[test]
    fn durations_in_days_and_weeks() {
        assert_eq!(parse_duration("30d").map(|d| d.days), Some(30));
        assert_eq!(parse_duration("2w").map(|d| d.days), Some(14));
        assert_eq!(parse_duration("30"), None);
        assert_eq!(parse_duration("d"), None);
        assert_eq!(parse_duration("3m"), None);
        assert_eq!(parse_duration("30d 💬"), None);
        assert_eq!(parse_duration("💬"), None);
        assert_eq!(parse_duration("2w").unwrap().to_string(), "2w");
        assert_eq!(parse_duration("14d").unwrap().to_string(), "14d");
        let huge = parse_duration("999999999999d").unwrap();
        assert_eq!(huge.to_string(), "999999999999d");
        assert_eq!(parse_duration("2w"), parse_duration("14d"));
        assert_eq!(parse_duration("9999999999999999999w"), None);
    }
}
