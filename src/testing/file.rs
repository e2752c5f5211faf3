//! Reading a `*.test.yaml` file: its cases, each a manifest (inline, or a
//! base manifest with patches) and what the rules must make of it.

use super::tree::{self, Kind, Node};
use crate::date::Date;
use crate::diagnostics::Diag;
use crate::manifest::discover::path_text;
use crate::manifest::path::{Path, Seg};
use crate::manifest::read::{normalize, read_text};
use crate::run::DEFAULT_MAX_FILE_SIZE;
use crate::source::{Source, Span};
use crate::suggest::did_you_mean;
use std::path::Path as FsPath;
use std::sync::Arc;

/// How a rule ended, as a test expects it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Pass,
    Fail,
    NotApplicable,
    /// Every finding of the rule is waived.
    Waived,
    /// The rule could not be evaluated.
    Error,
}

impl Outcome {
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Pass => "pass",
            Outcome::Fail => "fail",
            Outcome::NotApplicable => "n/a",
            Outcome::Waived => "waived",
            Outcome::Error => "error",
        }
    }

    const NAMES: [(&'static str, Outcome); 6] = [
        ("pass", Outcome::Pass),
        ("fail", Outcome::Fail),
        ("n/a", Outcome::NotApplicable),
        ("not-applicable", Outcome::NotApplicable),
        ("waived", Outcome::Waived),
        ("error", Outcome::Error),
    ];
}

/// What one rule must make of a case's manifest.
#[derive(Debug, Clone)]
pub struct Expect {
    pub rule: String,
    /// Where the expectation is written.
    pub span: Span,
    pub outcome: Outcome,
    /// The pointer of each finding, in any order; `None`: any.
    pub at: Option<Vec<Path>>,
    /// A text every finding's message contains.
    pub message: Option<String>,
    /// How many findings.
    pub count: Option<usize>,
}

#[derive(Debug, Clone)]
pub struct Case {
    pub name: String,
    /// Where the case starts (its `name`).
    pub span: Span,
    pub manifest: Node,
    /// Manifests checked in the same run, after the case's own, for rules
    /// across manifests.
    pub also: Vec<Also>,
    pub as_of: Option<Date>,
    pub expect: Vec<Expect>,
    /// Findings of rules `expect` does not name are allowed.
    pub others_any: bool,
}

/// A manifest checked beside a case's, and what the rules must make of it
/// when the case says.
#[derive(Debug, Clone)]
pub struct Also {
    pub manifest: Node,
    pub expect: Option<Vec<Expect>>,
}

#[derive(Debug)]
pub struct TestFile {
    pub src: Arc<Source>,
    pub cases: Vec<Case>,
}

const FILE_KEYS: [&str; 3] = ["base", "as_of", "cases"];
const CASE_KEYS: [&str; 8] = [
    "name", "base", "patch", "manifest", "also", "as_of", "expect", "others",
];
const EXPECT_KEYS: [&str; 4] = ["outcome", "at", "message", "count"];

/// Reads a test file. `known` says whether a rule id exists, and gives
/// the ids for a suggestion.
pub fn read(path: &FsPath, shown: &str, rules: &[&str]) -> Result<TestFile, Vec<Diag>> {
    let text = read_text(path, DEFAULT_MAX_FILE_SIZE).map_err(|(message, help)| {
        let src = Source::new(shown, "");
        vec![Diag::new(
            &Span::new(&src, 0..0),
            format!("cannot read the test file: {message}"),
        )
        .help_opt(help)]
    })?;
    let src = Source::new(shown, normalize(text));
    let mut errors = Vec::new();
    let root = match tree::read(&src) {
        Ok(Some(root)) => root,
        Ok(None) => {
            return Err(vec![Diag::new(
                &Span::new(&src, 0..0),
                "the test file is empty",
            )
            .help(
                "write `cases:`, a list of cases with a `name`, a manifest and `expect`",
            )])
        }
        Err(d) => return Err(vec![d]),
    };
    let dir = path.parent().unwrap_or(FsPath::new("."));
    let mut reader = Read {
        base_failed: false,
        dir,
        rules,
        errors: &mut errors,
    };
    let cases = reader.file(&root);
    if errors.is_empty() {
        Ok(TestFile { src, cases })
    } else {
        Err(errors)
    }
}

struct Read<'a> {
    /// A `base` could not be read (and was reported).
    base_failed: bool,
    dir: &'a FsPath,
    rules: &'a [&'a str],
    errors: &'a mut Vec<Diag>,
}

fn at(span: &Span, message: impl Into<String>) -> Diag {
    Diag::new(span, message)
}

impl Read<'_> {
    fn fail(&mut self, d: Diag) {
        self.errors.push(d);
    }

    fn map<'n>(&mut self, node: &'n Node, what: &str) -> Option<&'n [(String, Span, Node)]> {
        match &node.kind {
            Kind::Map(entries) => Some(entries),
            _ => {
                self.fail(at(
                    &node.span,
                    format!("{what} must be a mapping, not {}", node.what()),
                ));
                None
            }
        }
    }

    fn keys(&mut self, entries: &[(String, Span, Node)], allowed: &[&str], what: &str) {
        for (k, span, _) in entries {
            if !allowed.contains(&k.as_str()) {
                let help = match did_you_mean(k, allowed.iter().copied()) {
                    Some(s) => format!("did you mean `{s}`?"),
                    None => format!("the keys of {what} are {}", list(allowed)),
                };
                self.fail(
                    at(span, format!("unknown key `{k}` in {what}"))
                        .label("unknown key")
                        .help(help),
                );
            }
        }
    }

    fn text(&mut self, node: &Node, what: &str) -> Option<String> {
        match node.scalar() {
            Some(t) if !node.is_null() => Some(t.to_string()),
            _ => {
                self.fail(at(&node.span, format!("{what} must be text")));
                None
            }
        }
    }

    fn date(&mut self, node: &Node) -> Option<Date> {
        let t = self.text(node, "`as_of`")?;
        let d = Date::parse(&t);
        if d.is_none() {
            self.fail(
                at(&node.span, format!("`{t}` is not a date"))
                    .help("write YYYY-MM-DD, for example 2019-06-01"),
            );
        }
        d
    }

    fn file(&mut self, root: &Node) -> Vec<Case> {
        let Some(entries) = self.map(root, "a test file") else {
            return Vec::new();
        };
        self.keys(entries, &FILE_KEYS, "a test file");
        let base = root.get("base").and_then(|b| self.base(b));
        let as_of = root.get("as_of").and_then(|d| self.date(d));
        let Some(cases) = root.get("cases") else {
            self.fail(
                at(&root.span, "the test file has no `cases:`")
                    .help("write `cases:`, a list of cases with a `name`, a manifest and `expect`"),
            );
            return Vec::new();
        };
        let Kind::Seq(items) = &cases.kind else {
            self.fail(at(&cases.span, "`cases` must be a list"));
            return Vec::new();
        };
        if items.is_empty() {
            self.fail(at(
                &cases.span,
                "`cases` is empty: a test file without cases tests nothing",
            ));
        }
        let mut out: Vec<Case> = Vec::new();
        for item in items {
            if let Some(case) = self.case(item, base.as_ref(), as_of) {
                if let Some(first) = out.iter().find(|c| c.name == case.name) {
                    let (line, _) = first.span.start_line_col();
                    self.fail(
                        at(&case.span, format!("a second case named `{}`", case.name)).help(
                            format!("the first is at line {line}; give each case its own name"),
                        ),
                    );
                }
                out.push(case);
            }
        }
        out
    }

    /// A manifest read from a path relative to the test file.
    fn base(&mut self, node: &Node) -> Option<Node> {
        let rel = self.text(node, "`base`")?;
        let path = tidy(&self.dir.join(&rel));
        let shown = path_text(&path);
        let text = match read_text(&path, DEFAULT_MAX_FILE_SIZE) {
            Ok(t) => normalize(t),
            Err((message, _)) => {
                self.fail(
                    at(
                        &node.span,
                        format!("cannot read the base manifest `{rel}`: {message}"),
                    )
                    .help("the path is relative to the test file"),
                );
                return None;
            }
        };
        let src = Source::new(shown, text);
        match tree::read(&src) {
            Ok(Some(n)) => Some(n),
            Ok(None) => {
                self.fail(at(
                    &node.span,
                    format!("the base manifest `{rel}` is empty"),
                ));
                None
            }
            Err(d) => {
                self.fail(d);
                None
            }
        }
    }

    fn case(&mut self, node: &Node, base: Option<&Node>, as_of: Option<Date>) -> Option<Case> {
        let entries = self.map(node, "a case")?;
        self.keys(entries, &CASE_KEYS, "a case");
        let name = match node.get("name") {
            Some(n) => {
                let name = self.text(n, "`name`")?;
                if name.trim().is_empty() {
                    self.fail(
                        at(&n.span, "a case's `name` is blank").help("name it after what it shows"),
                    );
                    return None;
                }
                name
            }
            None => {
                self.fail(at(&node.span, "a case without a `name`").help("name it after what it shows, for example `name: a platform login is not consent`"));
                return None;
            }
        };
        let span = node
            .get("name")
            .map_or(node.span.clone(), |n| n.span.clone());
        let own_base = node.get("base").and_then(|b| self.base(b));
        let manifest = match (node.get("manifest"), own_base.as_ref().or(base)) {
            (Some(m), _) if node.get("base").is_some() => {
                self.fail(at(
                    &m.span,
                    "a case has either `manifest` or `base`, not both",
                ));
                return None;
            }
            (Some(m), _) => m.clone(),
            (None, Some(b)) => b.clone(),
            (None, None) => {
                // A base that could not be read has been reported.
                if node.get("base").is_none() && !self.base_failed {
                    self.fail(at(&span, format!("the case `{name}` has no manifest")).help("give it `manifest:`, or a `base:` (here or at the top of the file) that `patch:` changes"));
                }
                return None;
            }
        };
        let manifest = match node.get("patch") {
            Some(p) => self.patch(manifest, p)?,
            None => manifest,
        };
        self.has_schema(&manifest, &span, "the case's manifest")?;
        let also = match node.get("also") {
            None => Vec::new(),
            Some(a) => match &a.kind {
                Kind::Seq(items) => items.iter().filter_map(|i| self.also(i, base)).collect(),
                _ => {
                    self.fail(at(&a.span, "`also` must be a list of manifests"));
                    Vec::new()
                }
            },
        };
        let as_of = match node.get("as_of") {
            Some(d) => Some(self.date(d)?),
            None => as_of,
        };
        let others_any = match node.get("others") {
            None => false,
            Some(o) => match o.scalar() {
                Some("any") => true,
                Some("none") => false,
                _ => {
                    self.fail(at(&o.span, "`others` is `any` (findings of rules not in `expect` are allowed) or `none` (the default)"));
                    false
                }
            },
        };
        let Some(expect) = node.get("expect") else {
            self.fail(at(&span, format!("the case `{name}` has no `expect`")).help("say what each rule must make of it, for example `ftc2012/messages-consent: fail /grants/0/consent/mechanism`"));
            return None;
        };
        let expect_node = expect;
        let expect = self.expects(expect_node);
        if expect.is_empty() && others_any {
            self.fail(at(&expect_node.span, format!("the case `{name}` asserts nothing: `expect` is empty and `others` is `any`")).help("name a rule in `expect`, or drop `others: any` to assert that no rule has a finding"));
            return None;
        }
        Some(Case {
            name,
            span,
            manifest,
            also,
            as_of,
            expect,
            others_any,
        })
    }

    /// An item of `also`: a manifest, or `{base, patch, manifest, expect}`.
    fn also(&mut self, node: &Node, base: Option<&Node>) -> Option<Also> {
        if node.get("schema").is_some() {
            return Some(Also {
                manifest: node.clone(),
                expect: None,
            });
        }
        let entries = self.map(node, "an item of `also`")?;
        self.keys(
            entries,
            &["base", "patch", "manifest", "expect"],
            "an item of `also`",
        );
        let own = node.get("base").and_then(|b| self.base(b));
        let Some(m) = node
            .get("manifest")
            .cloned()
            .or(own)
            .or_else(|| base.cloned())
        else {
            self.fail(at(&node.span, "an item of `also` is a manifest (with `schema:`), or a `base` or `manifest` with a `patch` and an `expect`"));
            return None;
        };
        let manifest = match node.get("patch") {
            Some(p) => self.patch(m, p)?,
            None => m,
        };
        self.has_schema(&manifest, &node.span, "a manifest of `also`")?;
        let expect = node.get("expect").map(|e| self.expects(e));
        Some(Also { manifest, expect })
    }

    /// A manifest has `schema:`: without it a file is not a manifest and
    /// no rule would run, so every expectation would hold.
    fn has_schema(&mut self, manifest: &Node, at_: &Span, what: &str) -> Option<()> {
        if manifest.get("schema").is_some() {
            return Some(());
        }
        let written = &manifest.span.src.name;
        self.fail(at(at_, format!("{what} has no `schema:` key, so it is not a manifest and no rule would run on it")).help(format!("give it `schema: partnership/v1` (or the schema it is written for); it comes from `{written}`")));
        None
    }

    fn patch(&mut self, mut manifest: Node, patch: &Node) -> Option<Node> {
        let entries = self.map(patch, "`patch`")?;
        let mut ok = true;
        for (pointer, span, value) in entries {
            if let Err(d) = apply(&mut manifest, pointer, span, value) {
                self.fail(d);
                ok = false;
            }
        }
        ok.then_some(manifest)
    }

    fn expects(&mut self, node: &Node) -> Vec<Expect> {
        let Some(entries) = self.map(node, "`expect`") else {
            return Vec::new();
        };
        let mut out = Vec::new();
        for (rule, span, value) in entries {
            if !self.rules.contains(&rule.as_str()) {
                let help = match did_you_mean(rule, self.rules.iter().copied()) {
                    Some(s) => format!("did you mean `{s}`?"),
                    None => "`proviso rules` lists the rules of the loaded policies".to_string(),
                };
                self.fail(
                    at(span, format!("no rule `{rule}` in the loaded policies"))
                        .label("unknown rule")
                        .help(help),
                );
                continue;
            }
            if let Some(e) = self.expect(rule, span, value) {
                out.push(e);
            }
        }
        out
    }

    fn expect(&mut self, rule: &str, span: &Span, value: &Node) -> Option<Expect> {
        let mut e = Expect {
            rule: rule.to_string(),
            span: span.clone(),
            outcome: Outcome::Pass,
            at: None,
            message: None,
            count: None,
        };
        match &value.kind {
            Kind::Scalar { text, .. } => {
                // `fail /a /b`, `fail /a, /b` or `fail [/a, /b]`.
                let text = text.trim();
                let cut = text
                    .find(|c: char| c.is_whitespace() || c == '[')
                    .unwrap_or(text.len());
                let (word, rest) = text.split_at(cut);
                e.outcome = self.outcome(word, value)?;
                let rest = rest.trim();
                let rest = match rest.strip_prefix('[') {
                    Some(inner) => match inner.strip_suffix(']') {
                        Some(inner) => inner,
                        None => {
                            self.fail(at(
                                &value.span,
                                "the list of pointers is not closed with `]`",
                            ));
                            return None;
                        }
                    },
                    None => rest,
                };
                let pointers: Vec<&str> = rest
                    .split(|c: char| c == ',' || c.is_whitespace())
                    .filter(|w| !w.is_empty())
                    .collect();
                if !pointers.is_empty() {
                    e.at = Some(self.pointers(pointers.into_iter(), value)?);
                }
            }
            Kind::Map(entries) => {
                self.keys(entries, &EXPECT_KEYS, "an expectation");
                let Some(o) = value.get("outcome") else {
                    self.fail(
                        at(&value.span, "an expectation without `outcome`")
                            .help("write `outcome: fail` (or pass, n/a, waived, error)"),
                    );
                    return None;
                };
                let word = self.text(o, "`outcome`")?;
                e.outcome = self.outcome(&word, o)?;
                if let Some(a) = value.get("at") {
                    let list: Vec<String> = match &a.kind {
                        Kind::Seq(items) => items
                            .iter()
                            .filter_map(|i| i.scalar().map(str::to_string))
                            .collect(),
                        Kind::Scalar { text, .. } => vec![text.clone()],
                        Kind::Map(_) => Vec::new(),
                    };
                    e.at = Some(self.pointers(list.iter().map(String::as_str), a)?);
                }
                if let Some(m) = value.get("message") {
                    e.message = Some(self.text(m, "`message`")?);
                }
                if let Some(c) = value.get("count") {
                    match c.scalar().and_then(|t| t.parse::<usize>().ok()) {
                        Some(n) => e.count = Some(n),
                        None => {
                            self.fail(at(&c.span, "`count` must be a whole number"));
                            return None;
                        }
                    }
                }
            }
            Kind::Seq(_) => {
                self.fail(at(&value.span, "an expectation is `pass`, `fail`, `fail /pointer ...`, `n/a`, `waived`, `error`, or a mapping with `outcome`"));
                return None;
            }
        }
        if e.count == Some(0) || e.at.as_ref().is_some_and(Vec::is_empty) {
            self.fail(
                at(&value.span, "a rule that fails has at least one finding")
                    .help("expect `pass` (or `n/a`) for a rule without findings"),
            );
            return None;
        }
        let says_findings = e.at.is_some() || e.message.is_some() || e.count.is_some_and(|n| n > 0);
        if says_findings && !matches!(e.outcome, Outcome::Fail | Outcome::Waived) {
            self.fail(
                at(
                    &value.span,
                    format!(
                        "a rule that ends `{}` has no findings to place or count",
                        e.outcome.as_str()
                    ),
                )
                .help("expect `fail` with pointers, or drop them"),
            );
            return None;
        }
        Some(e)
    }

    fn outcome(&mut self, word: &str, node: &Node) -> Option<Outcome> {
        let found = Outcome::NAMES
            .iter()
            .find(|(n, _)| *n == word)
            .map(|(_, o)| *o);
        if found.is_none() {
            let names = ["pass", "fail", "n/a", "waived", "error"];
            let help = match did_you_mean(word, names) {
                Some(s) => format!("did you mean `{s}`?"),
                None => format!("an outcome is one of {}", list(&names)),
            };
            self.fail(at(&node.span, format!("`{word}` is not an outcome")).help(help));
        }
        found
    }

    fn pointers<'w>(
        &mut self,
        words: impl Iterator<Item = &'w str>,
        node: &Node,
    ) -> Option<Vec<Path>> {
        let mut out = Vec::new();
        for w in words {
            match parse_pointer(w) {
                Some(p) => out.push(p),
                None => {
                    self.fail(
                        at(&node.span, format!("`{w}` is not a JSON pointer"))
                            .help("write a pointer such as `/grants/0/consent/mechanism`"),
                    );
                    return None;
                }
            }
        }
        Some(out)
    }
}

fn list(names: &[&str]) -> String {
    names
        .iter()
        .map(|n| format!("`{n}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The steps of a JSON pointer (RFC 6901), unescaped: `~1` is `/`, `~0`
/// is `~`, and any other `~` is an error. `/` alone is the manifest itself.
pub fn steps(s: &str) -> Result<Vec<String>, String> {
    if s == "/" || s.is_empty() {
        return Ok(Vec::new());
    }
    let Some(rest) = s.strip_prefix('/') else {
        return Err(format!(
            "`{s}` is not a JSON pointer: it must start with `/`"
        ));
    };
    rest.split('/')
        .map(|raw| {
            let mut out = String::with_capacity(raw.len());
            let mut chars = raw.chars();
            while let Some(c) = chars.next() {
                match (c, c == '~') {
                    (_, false) => out.push(c),
                    (_, true) => match chars.next() {
                        Some('0') => out.push('~'),
                        Some('1') => out.push('/'),
                        _ => {
                            return Err(format!(
                                "`{s}` is not a JSON pointer: `~` is written `~0`, and `/` in a key `~1`"
                            ))
                        }
                    },
                }
            }
            Ok(out)
        })
        .collect()
}

/// A list index as a pointer writes it: digits, no leading zero.
pub fn index(step: &str) -> Option<usize> {
    let canonical = !step.is_empty()
        && step.bytes().all(|b| b.is_ascii_digit())
        && (step == "0" || !step.starts_with('0'));
    canonical.then(|| step.parse::<usize>().ok()).flatten()
}

/// A JSON pointer (RFC 6901) as a path; list indices are digits.
pub fn parse_pointer(s: &str) -> Option<Path> {
    let steps = steps(s).ok()?;
    let mut segs = Vec::new();
    for step in steps {
        // A number with a leading zero is neither an index nor, in a
        // manifest's schema, a key: it can only be a mistake.
        if step.len() > 1 && step.starts_with('0') && step.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        segs.push(match index(&step) {
            Some(i) => Seg::Index(i),
            None => Seg::Key(step),
        });
    }
    Some(Path(segs))
}

/// Applies one patch: `pointer` gets `value`; `-` appends to a list; a
/// null removes.
fn apply(root: &mut Node, pointer: &str, span: &Span, value: &Node) -> Result<(), Diag> {
    let bad = |m: String, help: Option<String>| at(span, m).help_opt(help);
    let segs = steps(pointer).map_err(|m| {
        bad(
            m,
            Some("a pointer starts with `/`, for example `/grants/0/operations`".into()),
        )
    })?;
    let Some((last, parents)) = segs.split_last() else {
        return Err(bad("an empty pointer".into(), None));
    };
    let mut node = root;
    let mut walked = String::new();
    for seg in parents {
        let shown = walked.clone();
        walked.push('/');
        walked.push_str(seg);
        let help = hint(node, seg);
        let Some(next) = child(node, seg) else {
            let parent = if shown.is_empty() {
                "the manifest".to_string()
            } else {
                format!("`{shown}`")
            };
            return Err(bad(
                format!("`{pointer}` does not exist: {parent} has no `{seg}`"),
                help,
            ));
        };
        node = next;
    }
    let remove = value.is_null();
    let parent_shown = if walked.is_empty() {
        "the manifest".to_string()
    } else {
        format!("`{walked}`")
    };
    match &mut node.kind {
        Kind::Map(entries) => {
            let found = entries.iter().position(|(k, _, _)| k == last);
            match (found, remove) {
                (Some(i), true) => {
                    entries.remove(i);
                }
                (Some(i), false) => {
                    if let Some(e) = entries.get_mut(i) {
                        e.2 = value.clone();
                    }
                }
                (None, true) => {
                    return Err(bad(
                        format!("cannot remove `{pointer}`: {parent_shown} has no `{last}`"),
                        None,
                    ));
                }
                (None, false) => entries.push((last.clone(), span.clone(), value.clone())),
            }
        }
        Kind::Seq(items) => {
            if last == "-" {
                if remove {
                    return Err(bad(
                        "`-` appends to a list; a null cannot be appended as a removal".into(),
                        Some("to remove an item, give its index".into()),
                    ));
                }
                items.push(value.clone());
            } else {
                let i = last
                    .parse::<usize>()
                    .ok()
                    .filter(|i| *i < items.len())
                    .ok_or_else(|| {
                        bad(
                            format!(
                                "`{pointer}` does not exist: {parent_shown} has {} items",
                                items.len()
                            ),
                            Some("index from 0, or append with `-`".into()),
                        )
                    })?;
                if remove {
                    items.remove(i);
                } else if let Some(slot) = items.get_mut(i) {
                    *slot = value.clone();
                }
            }
        }
        Kind::Scalar { .. } => {
            return Err(bad(
                format!("`{pointer}` does not exist: {parent_shown} is a scalar"),
                None,
            ));
        }
    }
    Ok(())
}

fn child<'n>(node: &'n mut Node, seg: &str) -> Option<&'n mut Node> {
    match &mut node.kind {
        Kind::Map(entries) => entries
            .iter_mut()
            .find(|(k, _, _)| k == seg)
            .map(|(_, _, v)| v),
        Kind::Seq(items) => items.get_mut(index(seg)?),
        Kind::Scalar { .. } => None,
    }
}

fn hint(node: &Node, seg: &str) -> Option<String> {
    match &node.kind {
        Kind::Map(entries) => did_you_mean(seg, entries.iter().map(|(k, _, _)| k.as_str()))
            .map(|s| format!("did you mean `{s}`?")),
        Kind::Seq(items) => Some(format!(
            "{}; index from 0, or append with `-`",
            count(items.len())
        )),
        Kind::Scalar { .. } => None,
    }
}

/// `the list has 1 item`, `the list has 3 items`.
fn count(n: usize) -> String {
    format!("the list has {n} item{}", if n == 1 { "" } else { "s" })
}

/// A path as shown: without `./` steps, and with `dir/..` taken out.
pub fn tidy(path: &FsPath) -> std::path::PathBuf {
    use std::path::Component;
    let mut out: Vec<Component> = Vec::new();
    for c in path.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir if matches!(out.last(), Some(Component::Normal(_))) => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    let tidy: std::path::PathBuf = out.iter().collect();
    if tidy.as_os_str().is_empty() {
        std::path::PathBuf::from(".")
    } else {
        tidy
    }
}
