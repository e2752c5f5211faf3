//! Reading `proviso.yaml` with serde_yaml, and finding where a setting is
//! written.
//!
//! serde_yaml places an error at the node being read when it fails, and
//! nowhere else: it keeps no positions for the values it returns. So the
//! file is read once into its settings (a duplicate setting fails there,
//! at the second one), the settings are checked as values, and each
//! problem is then placed by reading the text again up to the node at
//! fault and failing on purpose there ([`locate`]). A configuration file
//! is a few lines, and a read stops at its node; a run reads it once more
//! for each problem, up to [`MAX_PROBLEMS`].

use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use std::cell::{Cell, RefCell};
use std::fmt;

/// Problems placed and reported in one run; more are counted.
pub(super) const MAX_PROBLEMS: usize = 50;

/// A file that is not YAML, or not a mapping of settings, or that sets a
/// setting twice.
#[derive(Debug)]
pub(super) struct Unreadable {
    pub message: String,
    pub label: String,
    /// 1-based line and column (in characters), when serde_yaml knows them.
    pub line_col: Option<(usize, usize)>,
}

/// The top-level settings in the order they are written, with their values.
pub(super) fn settings(text: &str) -> Result<Vec<(String, serde_yaml::Value)>, Unreadable> {
    // serde_yaml says where a control character is only as an offset into
    // the text: it is found here, at its line and column.
    if let Some((at, c)) = text
        .char_indices()
        .find(|(_, c)| c.is_control() && !matches!(c, '\t' | '\n' | '\r'))
    {
        let before = text.get(..at).unwrap_or("");
        let line = before.matches('\n').count() + 1;
        let col = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
        return Err(Unreadable {
            message: format!(
                "the control character U+{:04X} is not allowed in YAML text",
                u32::from(c)
            ),
            label: "control character".into(),
            line_col: Some((line, col)),
        });
    }
    let ours = RefCell::new(None);
    let seed = Settings { ours: &ours };
    let result = match serde_yaml::Deserializer::from_str(text).next() {
        Some(document) => seed.deserialize(document),
        None => Ok(Vec::new()),
    };
    // Only the first document is read above; serde_yaml's own reader
    // refuses a file of several.
    let result =
        result.and_then(|settings| serde_yaml::from_str::<IgnoredAny>(text).map(|_| settings));
    result.map_err(|e| {
        let line_col = e.location().map(|l| (l.line(), l.column()));
        match ours.into_inner() {
            Some((message, label)) => Unreadable {
                message,
                label,
                line_col,
            },
            None => Unreadable {
                message: plain(&without_position(&e.to_string())),
                label: String::new(),
                line_col,
            },
        }
    })
}

/// serde_yaml's messages that speak of its own workings, said in terms of
/// the file.
fn plain(message: &str) -> String {
    if message.contains("more than one document") {
        "the file holds more than one YAML document; proviso.yaml is one (remove the `---` and what follows it)".into()
    } else if message.contains("as u128") || message.contains("as i128") {
        "the number is too large".into()
    } else {
        message.to_string()
    }
}

/// serde_yaml's message without the ` at line 3 column 5` it adds: the
/// position is the diagnostic's own.
fn without_position(message: &str) -> String {
    const AT: &str = " at line ";
    let digits = |s: &str| s.len() - s.trim_start_matches(|c: char| c.is_ascii_digit()).len();
    let mut out = String::with_capacity(message.len());
    let mut rest = message;
    while let Some((before, after)) = rest.split_once(AT) {
        out.push_str(before);
        // ` at line N column M`, digits on both sides, is cut; anything
        // else is kept as written.
        let tail = after
            .get(digits(after)..)
            .filter(|_| digits(after) > 0)
            .and_then(|t| t.strip_prefix(" column "))
            .filter(|t| digits(t) > 0);
        match tail.and_then(|t| t.get(digits(t)..)) {
            Some(next) => rest = next,
            None => {
                out.push_str(AT);
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// Reads the document's top-level mapping; `ours` receives the message of
/// an error this reader raises itself (serde_yaml adds its position).
struct Settings<'a> {
    ours: &'a RefCell<Option<(String, String)>>,
}

impl<'de> DeserializeSeed<'de> for Settings<'_> {
    type Value = Vec<(String, serde_yaml::Value)>;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Settings<'_> {
    type Value = Vec<(String, serde_yaml::Value)>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a mapping of settings, such as `policies: [builtin]`")
    }

    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(Vec::new())
    }

    fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(Vec::new())
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut settings: Vec<(String, serde_yaml::Value)> = Vec::new();
        loop {
            let key = map.next_key_seed(Key {
                seen: &settings,
                ours: self.ours,
            })?;
            let Some(key) = key else {
                break;
            };
            let value = map.next_value::<serde_yaml::Value>()?;
            settings.push((key, value));
        }
        Ok(settings)
    }
}

/// A setting's name: text, and not one set before.
struct Key<'a> {
    seen: &'a [(String, serde_yaml::Value)],
    ours: &'a RefCell<Option<(String, String)>>,
}

impl<'de> DeserializeSeed<'de> for Key<'_> {
    type Value = String;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<String, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Key<'_> {
    type Value = String;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a setting name")
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<String, E> {
        if self.seen.iter().any(|(k, _)| k == v) {
            let message = format!("`{v}` is set twice");
            *self.ours.borrow_mut() = Some((message.clone(), "set again here".into()));
            return Err(E::custom(message));
        }
        Ok(v.to_string())
    }
}

/// A node of the settings, by where it is written.
#[derive(Debug, Clone, Copy)]
pub(super) enum Target<'a> {
    /// The name of a top-level setting.
    Key(&'a str),
    /// A top-level setting's value.
    Value(&'a str),
    /// An item of a top-level setting's list.
    Item(&'a str, usize),
}

/// The 1-based line and column (in characters) where `target` starts:
/// the text is read up to the node, which is then refused, and serde_yaml
/// places the refusal there.
pub(super) fn locate(text: &str, target: Target) -> Option<(usize, usize)> {
    let hit = Cell::new(false);
    let document = serde_yaml::Deserializer::from_str(text).next()?;
    let error = Locate { target, hit: &hit }.deserialize(document).err()?;
    if !hit.get() {
        return None;
    }
    error.location().map(|l| (l.line(), l.column()))
}

struct Locate<'a> {
    target: Target<'a>,
    hit: &'a Cell<bool>,
}

impl<'de> DeserializeSeed<'de> for Locate<'_> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for Locate<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a mapping of settings")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let name = match self.target {
            Target::Key(name) | Target::Value(name) | Target::Item(name, _) => name,
        };
        while let Some(key) = map.next_key_seed(Named {
            refuse: matches!(self.target, Target::Key(_)).then_some(name),
            hit: self.hit,
        })? {
            if key.as_deref() != Some(name) {
                map.next_value::<IgnoredAny>()?;
                continue;
            }
            return match self.target {
                Target::Item(_, index) => map.next_value_seed(Item {
                    index,
                    hit: self.hit,
                }),
                Target::Key(_) | Target::Value(_) => map.next_value_seed(Refuse(self.hit)),
            };
        }
        Ok(())
    }
}

/// A key, refused when it is the one looked for.
struct Named<'a> {
    refuse: Option<&'a str>,
    hit: &'a Cell<bool>,
}

impl<'de> DeserializeSeed<'de> for Named<'_> {
    type Value = Option<String>;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Option<String>, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Named<'_> {
    type Value = Option<String>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a setting name")
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Option<String>, E> {
        if self.refuse == Some(v) {
            self.hit.set(true);
            return Err(E::custom("found"));
        }
        Ok(Some(v.to_string()))
    }

    fn visit_bool<E: de::Error>(self, _: bool) -> Result<Option<String>, E> {
        Ok(None)
    }

    fn visit_i64<E: de::Error>(self, _: i64) -> Result<Option<String>, E> {
        Ok(None)
    }

    fn visit_u64<E: de::Error>(self, _: u64) -> Result<Option<String>, E> {
        Ok(None)
    }

    fn visit_f64<E: de::Error>(self, _: f64) -> Result<Option<String>, E> {
        Ok(None)
    }

    fn visit_unit<E: de::Error>(self) -> Result<Option<String>, E> {
        Ok(None)
    }
}

/// The `index`th item of a list, refused.
struct Item<'a> {
    index: usize,
    hit: &'a Cell<bool>,
}

impl<'de> DeserializeSeed<'de> for Item<'_> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_seq(self)
    }
}

impl<'de> Visitor<'de> for Item<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a list")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        for _ in 0..self.index {
            if seq.next_element::<IgnoredAny>()?.is_none() {
                return Ok(());
            }
        }
        seq.next_element_seed(Refuse(self.hit)).map(drop)
    }
}

/// Any node, refused where it starts.
struct Refuse<'a>(&'a Cell<bool>);

impl<'de> DeserializeSeed<'de> for Refuse<'_> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        self.0.set(true);
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Refuse<'_> {
    type Value = ();

    // Every `visit_` method is left to its default, which refuses the node.
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("nothing")
    }
}

/// The end of the YAML token that starts at `start`, on its line: a quoted
/// scalar to its closing quote, a flow collection to its closing bracket,
/// a plain scalar to `: `, `,`, a closing bracket or a comment.
pub(super) fn token_end(text: &str, start: usize) -> usize {
    let rest = text.get(start..).unwrap_or("");
    let line = rest.split('\n').next().unwrap_or("");
    let line = line.strip_suffix('\r').unwrap_or(line);
    let mut chars = line.char_indices();
    let len = match chars.next() {
        None => 0,
        Some((_, quote @ ('"' | '\''))) => {
            let mut escaped = false;
            let mut end = line.len();
            for (i, c) in chars {
                if quote == '"' && c == '\\' && !escaped {
                    escaped = true;
                    continue;
                }
                if c == quote && !escaped {
                    end = i + 1;
                    break;
                }
                escaped = false;
            }
            end
        }
        Some((_, open @ ('[' | '{'))) => {
            let close = if open == '[' { ']' } else { '}' };
            let mut depth = 0usize;
            let mut end = line.len();
            for (i, c) in line.char_indices() {
                if c == open {
                    depth += 1;
                } else if c == close {
                    depth = depth.saturating_sub(1);
                    if depth == 0 {
                        end = i + 1;
                        break;
                    }
                }
            }
            end
        }
        Some(_) => {
            let mut end = line.len();
            let bytes = line.as_bytes();
            for (i, c) in line.char_indices() {
                let next = bytes.get(i + 1).copied();
                let stops = match c {
                    ':' => matches!(next, None | Some(b' ' | b'\t')),
                    ',' | ']' | '}' => true,
                    '#' => i > 0 && matches!(bytes.get(i - 1), Some(b' ' | b'\t')),
                    _ => false,
                };
                if stops {
                    end = i;
                    break;
                }
            }
            line.get(..end).map_or(end, |t| t.trim_end().len())
        }
    };
    start + len
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_are_cut_from_serde_yaml_messages() {
        assert_eq!(
            without_position("did not find expected ',' or ']' at line 2 column 2, while parsing a flow sequence at line 1 column 4"),
            "did not find expected ',' or ']', while parsing a flow sequence"
        );
        assert_eq!(without_position("at line one"), "at line one");
    }

    #[test]
    fn nodes_are_located_where_they_are_written() {
        let text = "# settings\npaths: [a, 'b', c]\nfail_on:  warning\npolicies:\n  - builtin\n  - ./ours\n";
        assert_eq!(locate(text, Target::Key("fail_on")), Some((3, 1)));
        assert_eq!(locate(text, Target::Value("fail_on")), Some((3, 11)));
        assert_eq!(locate(text, Target::Item("paths", 1)), Some((2, 12)));
        assert_eq!(locate(text, Target::Item("policies", 1)), Some((6, 5)));
        assert_eq!(locate(text, Target::Value("policies")), Some((5, 3)));
        assert_eq!(locate(text, Target::Key("exclude")), None);
        assert_eq!(locate(text, Target::Item("paths", 7)), None);
    }

    #[test]
    fn columns_count_characters() {
        let text = "{ \"zoë\": 1, fail_on: x }\n";
        assert_eq!(locate(text, Target::Value("fail_on")), Some((1, 22)));
    }

    #[test]
    fn a_setting_set_twice_is_refused_at_the_second() {
        let e = settings("paths: [a]\nfail_on: error\npaths: [b]\n").unwrap_err();
        assert_eq!(e.message, "`paths` is set twice");
        assert_eq!(e.line_col, Some((3, 1)));
    }

    #[test]
    fn an_empty_file_has_no_settings() {
        assert!(settings("").unwrap().is_empty());
        assert!(settings("# nothing yet\n").unwrap().is_empty());
        assert!(settings("---\n").unwrap().is_empty());
    }

    #[test]
    fn only_a_mapping_holds_settings() {
        let e = settings("- builtin\n").unwrap_err();
        assert!(e.message.contains("a mapping of settings"), "{}", e.message);
        let e = settings("paths: [a]\n---\nfail_on: never\n").unwrap_err();
        assert!(
            e.message.contains("more than one YAML document"),
            "{}",
            e.message
        );
    }
}
