//! "Did you mean": the closest known name to a misspelled one.

/// The closest candidate to a misspelled name, if one is close enough to
/// be a likely typo.
pub fn did_you_mean<'a>(
    name: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    let mut best: Option<(f64, &str)> = None;
    for c in candidates {
        let score = strsim::jaro_winkler(name, c);
        let dist = strsim::levenshtein(name, c);
        let close = dist <= (name.chars().count().max(3) / 3).max(1) || score >= 0.88;
        if close && best.is_none_or(|(s, _)| score > s) {
            best = Some((score, c));
        }
    }
    best.map(|(_, c)| c)
}

#[cfg(test)]
mod tests {
    use super::did_you_mean;

    #[test]
    fn suggests_close_names_only() {
        let fields = ["consent", "subjects", "operations", "necessity"];
        assert_eq!(did_you_mean("consnet", fields), Some("consent"));
        assert_eq!(did_you_mean("operation", fields), Some("operations"));
        assert_eq!(did_you_mean("banana", fields), None);
        assert_eq!(
            did_you_mean("partnersihp/v1", ["partnership/v1"]),
            Some("partnership/v1")
        );
    }
}
