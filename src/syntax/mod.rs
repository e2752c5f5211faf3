//! Text to syntax tree. pest stays inside this module: the rest of the crate
//! sees only `ast` types and `Diag`s.

use crate::ast::*;
use crate::date::{parse_duration, Date};
use crate::diagnostics::Diag;
use crate::ops::Level;
use crate::source::{Source, Span};
use pest::iterators::{Pair, Pairs};
use pest::pratt_parser::{Assoc, Op, PrattParser};
use pest::Parser as _;
use std::sync::Arc;

pub mod tree;

#[derive(pest_derive::Parser)]
#[grammar = "../grammar/proviso.pest"]
struct Grammar;

/// Parses one policy file. A syntax error stops this file (pest reports the
/// furthest point it reached), but the caller goes on with other files. The
/// items that did parse are returned beside the errors, so their own
/// mistakes are reported in the same run.
pub fn parse_file(src: &Arc<Source>) -> (File, Vec<Diag>) {
    match parse_items(src, false) {
        Ok((file, _)) => (file, Vec::new()),
        Err((file, errors)) => (file, errors),
    }
}

/// Parses one policy file into its syntax tree and, from the same parse,
/// its concrete syntax tree ([`tree::tree`]); or returns its errors.
pub fn parse_file_and_tree(src: &Arc<Source>) -> Result<(File, tree::Node), Vec<Diag>> {
    match parse_items(src, true) {
        Ok((file, Some(tree))) => Ok((file, tree)),
        Ok((_, None)) => Err(vec![missing(src, "tree")]),
        Err((_, errors)) => Err(errors),
    }
}

/// Brackets nested deeper than this are refused before parsing: the
/// parser and every stage after it recurse once per level.
pub const MAX_NESTING: usize = 32;

/// An expression whose tree is deeper than this (`a and b and ...`, `not
/// not ...`, nested brackets together) is refused: the checker and the
/// evaluator recurse once per level.
pub const MAX_EXPR_DEPTH: u32 = 100;

/// The first place that nests deeper than [`MAX_NESTING`]: a bracket
/// (`(`, `[`, `{`, or the `<` of `map<`), or a quantifier (`any x in xs:`),
/// whose body runs to the end of its expression and so nests the
/// quantifiers after it in one rule. Strings and comments are skipped; the
/// language's tokens are simple enough that this agrees with the grammar.
fn too_deep(text: &str) -> Option<(usize, String)> {
    let bytes = text.as_bytes();
    let mut stack: Vec<u8> = Vec::new();
    let mut quantifiers = 0usize;
    let word_at = |i: usize| -> &str {
        let end = bytes
            .get(i..)
            .and_then(|rest| {
                rest.iter()
                    .position(|b| !(b.is_ascii_alphanumeric() || *b == b'_'))
            })
            .map_or(bytes.len(), |n| i + n);
        text.get(i..end).unwrap_or("")
    };
    let skip_space = |mut i: usize| {
        while bytes.get(i).is_some_and(|b| b.is_ascii_whitespace()) {
            i += 1;
        }
        i
    };
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        match b {
            b'"' => {
                i += 1;
                while let Some(&c) = bytes.get(i) {
                    match c {
                        b'\\' => i += 1,
                        b'"' | b'\n' => break,
                        _ => {}
                    }
                    i += 1;
                }
            }
            b'/' if bytes.get(i + 1) == Some(&b'/') => {
                while bytes.get(i).is_some_and(|&c| c != b'\n') {
                    i += 1;
                }
            }
            b'(' | b'[' | b'{' | b'<' => {
                let opens =
                    b != b'<' || text.get(..i).is_some_and(|t| t.trim_end().ends_with("map"));
                if opens {
                    stack.push(b);
                    if stack.len() > MAX_NESTING {
                        return Some((
                            i,
                            format!("`{}` at level {}", char::from(b), MAX_NESTING + 1),
                        ));
                    }
                }
            }
            b')' | b']' | b'}' => {
                stack.pop();
            }
            b'>' if stack.last() == Some(&b'<') => {
                stack.pop();
            }
            b if b.is_ascii_alphabetic() || b == b'_' => {
                let word = word_at(i);
                match word {
                    "rule" | "const" => quantifiers = 0,
                    "any" | "all" | "no" => {
                        let var = skip_space(i + word.len());
                        let after = skip_space(var + word_at(var).len());
                        if !word_at(var).is_empty() && word_at(after) == "in" {
                            quantifiers += 1;
                            if quantifiers > MAX_NESTING {
                                return Some((
                                    i,
                                    format!("quantifier {} of one rule", MAX_NESTING + 1),
                                ));
                            }
                        }
                    }
                    _ => {}
                }
                i += word.len().max(1);
                continue;
            }
            _ => {}
        }
        i += 1;
    }
    None
}

/// Grammar rules the parser may try per byte of a file, and at least.
/// A parser of this kind backtracks: on some broken files (brackets left
/// open inside each other) its work grows exponentially, and this bounds
/// it. Well-formed files take well under a hundred calls a byte.
const CALLS_PER_BYTE: usize = 400;
const MIN_CALLS: usize = 1_000_000;

/// The parser's call budget for files of up to `len` bytes: set once for a
/// batch of files parsed together, from the largest.
pub fn set_budget(len: usize) {
    let calls = len.saturating_mul(CALLS_PER_BYTE).max(MIN_CALLS);
    pest::set_call_limit(std::num::NonZeroUsize::new(calls));
}

/// Syntax errors reported for one file at most: each costs a parse of the
/// file.
const MAX_SYNTAX_ERRORS: usize = 16;

/// The items of a file, and its concrete syntax tree if `tree` asks for it
/// and the file has no syntax error.
type Items = (File, Option<tree::Node>);

fn parse_items(src: &Arc<Source>, tree: bool) -> Result<Items, (File, Vec<Diag>)> {
    let empty = || File {
        items: Vec::new(),
        broken: Vec::new(),
    };
    if let Some((at, what)) = too_deep(&src.text) {
        let diag = Diag::new(
            &Span::new(src, at..at + 1),
            format!("brackets or quantifiers nested deeper than {MAX_NESTING} levels"),
        )
        .label(what)
        .help("a condition can move a part into a `where` clause or a rule of its own; a type or an enum can name its inner parts as records or enums of their own");
        return Err((empty(), vec![diag]));
    }
    // A declaration with a syntax error is blanked out (its text turned to
    // spaces, so every offset stays) and the file parsed again: the other
    // declarations' errors, of any kind, are reported in the same run.
    let mut text = std::borrow::Cow::Borrowed(src.text.as_str());
    let mut errors = Vec::new();
    let mut broken = Vec::new();
    let pairs = loop {
        match Grammar::parse(Rule::file, &text) {
            Ok(pairs) => break Some(pairs),
            Err(e) => {
                let limit = matches!(e.variant, pest::error::ErrorVariant::CustomError { .. });
                let diag = pest_error(src, &text, e);
                let at = diag.span.start;
                errors.push(diag);
                let Some(range) = declaration_at(&text, at).filter(|_| !limit) else {
                    break None;
                };
                if errors.len() >= MAX_SYNTAX_ERRORS {
                    let end = range.end;
                    errors.push(
                        Diag::new(
                            &Span::new(src, end..end),
                            format!("more than {MAX_SYNTAX_ERRORS} declarations have syntax errors; the rest of the file is not checked"),
                        )
                        .label("checked up to here")
                        .help("fix the errors above and run again"),
                    );
                    break None;
                }
                broken.extend(declared_name(text.get(range.clone()).unwrap_or("")));
                text = std::borrow::Cow::Owned(blanked(&text, range));
            }
        }
    };
    let Some(file) = pairs.and_then(|mut p| p.next()) else {
        return Err((
            File {
                items: Vec::new(),
                broken,
            },
            errors,
        ));
    };
    let concrete = (tree && errors.is_empty()).then(|| tree::node(&src.text, file.clone()));
    let mut items = Vec::new();
    for pair in file.into_inner() {
        let item = match pair.as_rule() {
            Rule::schema_decl => parse_record(src, pair).map(Item::Schema),
            Rule::record_decl => parse_record(src, pair).map(Item::Record),
            Rule::enum_decl => parse_enum(src, pair).map(Item::Enum),
            Rule::policy_decl => parse_policy(src, pair).map(Item::Policy),
            Rule::const_decl => parse_const(src, pair).map(Item::Const),
            Rule::rule_decl => parse_rule(src, pair).map(|r| Item::Rule(Box::new(r))),
            _ => continue,
        };
        match item {
            Ok(item) => items.push(item),
            Err(e) => errors.push(e),
        }
    }
    let file = File { items, broken };
    if errors.is_empty() {
        Ok((file, concrete))
    } else {
        Err((file, errors))
    }
}

/// Whether a line starts a declaration: a keyword at the start of the
/// line, or a doc comment.
fn starts_declaration(line: &str) -> bool {
    [
        "schema ", "record ", "enum ", "const ", "policy ", "rule ", "///",
    ]
    .iter()
    .any(|k| line.starts_with(k))
}

/// The byte range of the declaration that holds `at`: from the start of
/// its first line (its doc comment's, if any) to the next declaration.
/// `None` when the range would be empty.
fn declaration_at(text: &str, at: usize) -> Option<std::ops::Range<usize>> {
    let mut starts = Vec::new();
    let mut offset = 0;
    let mut in_doc = false;
    for line in text.split_inclusive('\n') {
        let doc = line.starts_with("///");
        if starts_declaration(line) && !in_doc {
            starts.push(offset);
        }
        in_doc = doc;
        offset += line.len();
    }
    let start = starts
        .iter()
        .rev()
        .find(|&&s| s <= at)
        .copied()
        .unwrap_or(0);
    let end = starts
        .iter()
        .find(|&&s| s > at)
        .copied()
        .unwrap_or(text.len());
    (start < end).then_some(start..end)
}

/// What stands for a `policy` line that did not parse among the broken
/// names of a file: the rules after it are not told they have no policy.
pub const BROKEN_POLICY: &str = "policy";

/// The name a declaration's text declares, if it can be read.
fn declared_name(decl: &str) -> Option<String> {
    let line = decl
        .lines()
        .map(|l| l.trim_start_matches([' ', '\t']))
        .find(|l| !l.starts_with("///"))?;
    let mut words = line.split_whitespace();
    match words.next()? {
        "schema" | "record" | "enum" | "const" => {}
        "policy" => return Some(BROKEN_POLICY.to_string()),
        _ => return None,
    }
    let name: String = words
        .next()?
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '/' | '-'))
        .collect();
    (!name.is_empty()).then_some(name)
}

/// `text` with `range` turned to spaces, line breaks kept.
fn blanked(text: &str, range: std::ops::Range<usize>) -> String {
    let mut out = String::with_capacity(text.len());
    for (i, c) in text.char_indices() {
        if range.contains(&i) && c != '\n' {
            for _ in 0..c.len_utf8() {
                out.push(' ');
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// The one place where a pest location becomes a span.
fn span_of(src: &Arc<Source>, pair: &Pair<Rule>) -> Span {
    let s = pair.as_span();
    Span::new(src, s.start()..s.end())
}

fn ident(src: &Arc<Source>, pair: Pair<Rule>) -> Ident {
    Ident {
        name: pair.as_str().to_string(),
        span: span_of(src, &pair),
    }
}

/// Keywords are tokens in the grammar (so they can require a word boundary)
/// but carry no meaning past it.
fn significant(pairs: Pairs<Rule>) -> impl Iterator<Item = Pair<Rule>> {
    pairs.filter(|p| {
        !matches!(
            p.as_rule(),
            Rule::kw_schema
                | Rule::kw_record
                | Rule::kw_enum
                | Rule::kw_map
                | Rule::kw_policy
                | Rule::kw_const
                | Rule::kw_for
                | Rule::kw_rule
                | Rule::kw_title
                | Rule::kw_severity
                | Rule::kw_each
                | Rule::kw_where
                | Rule::kw_require
                | Rule::kw_message
                | Rule::kw_at
                | Rule::kw_help
                | Rule::kw_in
        )
    })
}

/// The text of doc comments, one line each. White space at the end of a
/// line is not part of it (nor a carriage return of a CRLF file).
fn docs(pair: Pair<Rule>) -> String {
    let lines: Vec<&str> = pair
        .into_inner()
        .filter_map(|doc| doc.into_inner().next())
        .map(|text| text.as_str().strip_prefix(' ').unwrap_or(text.as_str()))
        .map(str::trim_end)
        .collect();
    lines.join("\n").trim_end().to_string()
}

fn missing(src: &Arc<Source>, what: &str) -> Diag {
    Diag::new(
        &Span::new(src, 0..0),
        format!("internal parser error: missing {what}"),
    )
}

fn parse_record(src: &Arc<Source>, pair: Pair<Rule>) -> Result<RecordDecl, Diag> {
    let mut inner = significant(pair.into_inner());
    let doc = inner.next().map(docs).unwrap_or_default();
    let name = inner
        .next()
        .map(|p| ident(src, p))
        .ok_or_else(|| missing(src, "name"))?;
    let mut fields = Vec::new();
    for field in inner {
        let mut parts = field.into_inner();
        let doc = parts.next().map(docs).unwrap_or_default();
        let fname = parts
            .next()
            .map(|p| ident(src, p))
            .ok_or_else(|| missing(src, "field"))?;
        let ty = parts.next().ok_or_else(|| missing(src, "type"))?;
        let ty = parse_type(src, ty)?;
        let mut constraints = Vec::new();
        for c in parts {
            let span = span_of(src, &c);
            let Some(inner) = c.into_inner().next() else {
                continue;
            };
            let constraint = match inner.as_rule() {
                Rule::kw_unique => Constraint::Unique,
                Rule::not_blank => Constraint::NotBlank,
                _ => {
                    let mut bound = inner.into_inner();
                    let op = bound.next().map(|p| p.as_str().to_string());
                    let digits: String = bound
                        .next()
                        .map(|p| p.as_str().chars().filter(|c| *c != '_').collect())
                        .unwrap_or_default();
                    let n = digits.parse::<i64>().map_err(|_| {
                        Diag::new(&span, format!("`{digits}` does not fit in 64 bits"))
                            .label("too large")
                    })?;
                    if op.as_deref() == Some(">=") {
                        Constraint::AtLeast(n)
                    } else {
                        Constraint::AtMost(n)
                    }
                }
            };
            constraints.push((constraint, span));
        }
        fields.push(FieldDecl {
            doc,
            name: fname,
            ty,
            constraints,
        });
    }
    Ok(RecordDecl { doc, name, fields })
}

fn parse_type(src: &Arc<Source>, pair: Pair<Rule>) -> Result<TypeExpr, Diag> {
    let span = span_of(src, &pair);
    let mut inner = significant(pair.into_inner());
    let base = inner.next().ok_or_else(|| missing(src, "type"))?;
    let base_span = span_of(src, &base);
    let kind = match base.as_rule() {
        Rule::list_type => {
            let elem = base
                .into_inner()
                .next()
                .ok_or_else(|| missing(src, "element type"))?;
            TypeExprKind::List(Box::new(parse_type(src, elem)?))
        }
        Rule::map_type => {
            let mut parts = significant(base.into_inner());
            let k = parts.next().ok_or_else(|| missing(src, "key type"))?;
            let v = parts.next().ok_or_else(|| missing(src, "value type"))?;
            TypeExprKind::Map(Box::new(parse_type(src, k)?), Box::new(parse_type(src, v)?))
        }
        _ => {
            let id = base
                .into_inner()
                .next()
                .ok_or_else(|| missing(src, "type name"))?;
            TypeExprKind::Named(ident(src, id))
        }
    };
    if inner.next().is_some() {
        let base = TypeExpr {
            kind,
            span: base_span,
        };
        return Ok(TypeExpr {
            kind: TypeExprKind::Optional(Box::new(base)),
            span,
        });
    }
    Ok(TypeExpr { kind, span })
}

fn parse_enum(src: &Arc<Source>, pair: Pair<Rule>) -> Result<EnumDecl, Diag> {
    let mut inner = significant(pair.into_inner());
    let doc = inner.next().map(docs).unwrap_or_default();
    let name = inner
        .next()
        .map(|p| ident(src, p))
        .ok_or_else(|| missing(src, "name"))?;
    let items = inner.next().map(|p| enum_items(src, p)).unwrap_or_default();
    Ok(EnumDecl { doc, name, items })
}

fn enum_items(src: &Arc<Source>, pair: Pair<Rule>) -> Vec<EnumItem> {
    let mut items = Vec::new();
    for item in pair.into_inner() {
        let mut parts = item.into_inner();
        let doc = parts.next().map(docs).unwrap_or_default();
        let Some(name) = parts.next().map(|p| ident(src, p)) else {
            continue;
        };
        let children = parts.next().map(|p| enum_items(src, p)).unwrap_or_default();
        items.push(EnumItem {
            doc,
            name,
            children,
        });
    }
    items
}

fn parse_const(src: &Arc<Source>, pair: Pair<Rule>) -> Result<ConstDecl, Diag> {
    let mut inner = significant(pair.into_inner());
    let doc = inner.next().map(docs).unwrap_or_default();
    let name = inner
        .next()
        .map(|p| ident(src, p))
        .ok_or_else(|| missing(src, "name"))?;
    let ty = parse_type(src, inner.next().ok_or_else(|| missing(src, "type"))?)?;
    let value = parse_expr(src, inner.next().ok_or_else(|| missing(src, "value"))?)?;
    Ok(ConstDecl {
        doc,
        name,
        ty,
        value,
    })
}

fn parse_policy(src: &Arc<Source>, pair: Pair<Rule>) -> Result<PolicyDecl, Diag> {
    let mut inner = significant(pair.into_inner());
    let doc = inner.next().map(docs).unwrap_or_default();
    let name = inner
        .next()
        .map(|p| ident(src, p))
        .ok_or_else(|| missing(src, "name"))?;
    let schema = inner
        .next()
        .map(|p| ident(src, p))
        .ok_or_else(|| missing(src, "schema"))?;
    Ok(PolicyDecl { doc, name, schema })
}

fn parse_rule(src: &Arc<Source>, pair: Pair<Rule>) -> Result<RuleDecl, Diag> {
    let span = span_of(src, &pair);
    let mut doc = String::new();
    let mut id = None;
    let mut title = String::new();
    let mut severity = Severity::Error;
    let mut requirements = Vec::new();
    for part in significant(pair.into_inner()) {
        match part.as_rule() {
            Rule::docs => doc = docs(part),
            Rule::decl_id => id = Some(ident(src, part)),
            Rule::title_clause => {
                if let Some(s) = significant(part.into_inner()).next() {
                    title = parse_string(&s);
                }
            }
            Rule::severity_clause => {
                severity = match significant(part.into_inner())
                    .next()
                    .map(|p| p.as_str().to_string())
                    .as_deref()
                {
                    Some("warning") => Severity::Warning,
                    Some("note") => Severity::Note,
                    _ => Severity::Error,
                }
            }
            Rule::requirement => requirements.push(parse_requirement(src, part)?),
            _ => {}
        }
    }
    Ok(RuleDecl {
        doc,
        id: id.ok_or_else(|| missing(src, "rule id"))?,
        title,
        severity,
        requirements,
        span,
    })
}

fn parse_requirement(src: &Arc<Source>, pair: Pair<Rule>) -> Result<Requirement, Diag> {
    let span = span_of(src, &pair);
    let mut each: Vec<Each> = Vec::new();
    let mut filter = None;
    let mut require = None;
    let mut at = None;
    let mut message = None;
    let mut help = None;
    for part in significant(pair.into_inner()) {
        match part.as_rule() {
            Rule::each_clause => {
                let (var, collection) = var_in(src, &mut significant(part.into_inner()))?;
                each.push(Each {
                    var,
                    collection,
                    filter: None,
                });
            }
            Rule::where_clause => {
                let expr = clause_expr(src, part)?;
                // A `where` right after an `each` filters that binding; one
                // after the last `each` (or in a requirement without any)
                // filters the whole requirement. Both mean the same for the
                // last `each`.
                match each.last_mut() {
                    Some(last) if last.filter.is_none() && filter.is_none() => {
                        last.filter = Some(expr)
                    }
                    _ => filter = Some(expr),
                }
            }
            Rule::require_clause => require = Some(clause_expr(src, part)?),
            Rule::at_clause => {
                at = significant(part.into_inner())
                    .next()
                    .map(|p| parse_path(src, p));
            }
            Rule::message_clause => message = Some(clause_template(src, part)?),
            Rule::help_clause => help = Some(clause_template(src, part)?),
            _ => {}
        }
    }
    Ok(Requirement {
        each,
        filter,
        require: require.ok_or_else(|| missing(src, "require"))?,
        at,
        message: message.ok_or_else(|| missing(src, "message"))?,
        help,
        span,
    })
}

/// `VAR in PATH`, as `each`, quantifiers and functions over items write it.
fn var_in<'i>(
    src: &Arc<Source>,
    parts: &mut impl Iterator<Item = Pair<'i, Rule>>,
) -> Result<(Ident, Expr), Diag> {
    let var = parts
        .next()
        .map(|p| ident(src, p))
        .ok_or_else(|| missing(src, "variable"))?;
    let coll = parts.next().ok_or_else(|| missing(src, "collection"))?;
    Ok((var, parse_path(src, coll)))
}

fn clause_expr(src: &Arc<Source>, pair: Pair<Rule>) -> Result<Expr, Diag> {
    let e = significant(pair.into_inner())
        .next()
        .ok_or_else(|| missing(src, "expression"))?;
    parse_expr(src, e)
}

fn clause_template(src: &Arc<Source>, pair: Pair<Rule>) -> Result<Template, Diag> {
    let t = significant(pair.into_inner())
        .next()
        .ok_or_else(|| missing(src, "text"))?;
    let span = span_of(src, &t);
    let mut parts = Vec::new();
    for part in t.into_inner() {
        match part.as_rule() {
            Rule::template_text => parts.push(TemplatePart::Text(unescape(part.as_str()))),
            Rule::hole => {
                if let Some(path) = part.into_inner().next() {
                    parts.push(TemplatePart::Hole(parse_path(src, path)));
                }
            }
            _ => {}
        }
    }
    Ok(Template { parts, span })
}

fn parse_string(pair: &Pair<Rule>) -> String {
    let raw = pair.as_str();
    let inner = raw
        .strip_prefix('"')
        .and_then(|s| s.strip_suffix('"'))
        .unwrap_or(raw);
    unescape(inner)
}

fn unescape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            match chars.next() {
                Some('n') => out.push('\n'),
                Some('t') => out.push('\t'),
                Some(c @ ('"' | '\\' | '{' | '}')) => out.push(c),
                // Not an escape of the language: kept as written, for
                // regular expressions (`\.`, `\d`).
                Some(other) => {
                    out.push('\\');
                    out.push(other);
                }
                None => out.push('\\'),
            }
        } else {
            out.push(c);
        }
    }
    out
}

fn parse_path(src: &Arc<Source>, pair: Pair<Rule>) -> Expr {
    let span = span_of(src, &pair);
    let segs = pair.into_inner().map(|p| ident(src, p)).collect();
    Expr {
        kind: ExprKind::Path(segs),
        span,
    }
}

/// The grammar's token for each operator.
fn token(op: BinOp) -> Rule {
    match op {
        BinOp::Or => Rule::op_or,
        BinOp::And => Rule::op_and,
        BinOp::Eq => Rule::op_eq,
        BinOp::Ne => Rule::op_ne,
        BinOp::Lt => Rule::op_lt,
        BinOp::Le => Rule::op_le,
        BinOp::Gt => Rule::op_gt,
        BinOp::Ge => Rule::op_ge,
        BinOp::In => Rule::op_in,
        BinOp::NotIn => Rule::op_not_in,
        BinOp::HasAny => Rule::op_has_any,
        BinOp::HasAll => Rule::op_has_all,
        BinOp::HasNone => Rule::op_has_none,
        BinOp::Matches => Rule::op_matches,
        BinOp::StartsWith => Rule::op_starts_with,
        BinOp::EndsWith => Rule::op_ends_with,
        BinOp::Contains => Rule::op_contains,
        BinOp::Add => Rule::op_add,
        BinOp::Sub => Rule::op_sub,
    }
}

/// The operator a token stands for.
fn operator(rule: Rule) -> Option<BinOp> {
    BinOp::ALL.into_iter().find(|op| token(*op) == rule)
}

/// The operator parser, built from the operators' levels (loosest first);
/// `not` binds tighter than `and`, looser than comparisons, and `is set`
/// tightest of all.
fn pratt() -> PrattParser<Rule> {
    let levels = [Level::Or, Level::And, Level::Test, Level::Sum];
    let mut pratt = PrattParser::new();
    for level in levels {
        let mut ops = BinOp::ALL
            .into_iter()
            .filter(|op| op.level() == level)
            .map(|op| Op::infix(token(op), Assoc::Left));
        if let Some(first) = ops.next() {
            pratt = pratt.op(ops.fold(first, |all, op| all | op));
        }
        if level == Level::And {
            pratt = pratt.op(Op::prefix(Rule::op_not));
        }
    }
    pratt.op(Op::postfix(Rule::op_is_set) | Op::postfix(Rule::op_is_not_set))
}

/// Built once: every expression of every policy file is parsed with it.
static PRATT: std::sync::LazyLock<PrattParser<Rule>> = std::sync::LazyLock::new(pratt);

fn parse_expr(src: &Arc<Source>, pair: Pair<Rule>) -> Result<Expr, Diag> {
    parse_deep(src, pair).map(|(e, _)| e)
}

/// An expression and the depth of its tree.
type Deep = (Expr, u32);

fn parse_deep(src: &Arc<Source>, pair: Pair<Rule>) -> Result<Deep, Diag> {
    pratt_expr(&PRATT, src, pair.into_inner())
}

/// Refuses a tree deeper than [`MAX_EXPR_DEPTH`] at the operator that
/// makes it so.
fn deeper(src: &Arc<Source>, op: &Pair<Rule>, depth: u32) -> Result<u32, Diag> {
    if depth > MAX_EXPR_DEPTH {
        return Err(Diag::new(
            &span_of(src, op),
            format!("this expression is nested more than {MAX_EXPR_DEPTH} operators deep"),
        )
        .label("too deep")
        .help(
            "split the condition: move a part into a `where` clause, or into a rule of its own",
        ));
    }
    Ok(depth)
}

fn pratt_expr(
    pratt: &PrattParser<Rule>,
    src: &Arc<Source>,
    pairs: Pairs<Rule>,
) -> Result<Deep, Diag> {
    // The operator parser itself recurses once per prefix operator: a run
    // of them is refused before it starts.
    let mut prefixes = 0u32;
    for p in pairs.clone() {
        if p.as_rule() == Rule::op_not {
            prefixes += 1;
            deeper(src, &p, prefixes)?;
        } else {
            prefixes = 0;
        }
    }
    pratt
        .map_primary(|p| parse_primary(pratt, src, p))
        .map_prefix(|op, rhs| {
            let (rhs, d) = rhs?;
            let depth = deeper(src, &op, d + 1)?;
            let span = span_of(src, &op).to(&rhs.span);
            Ok((
                Expr {
                    kind: ExprKind::Not(Box::new(rhs)),
                    span,
                },
                depth,
            ))
        })
        .map_postfix(|lhs, op| {
            let (lhs, d) = lhs?;
            let depth = deeper(src, &op, d + 1)?;
            let span = lhs.span.to(&span_of(src, &op));
            Ok((
                Expr {
                    kind: ExprKind::IsSet {
                        expr: Box::new(lhs),
                        negated: op.as_rule() == Rule::op_is_not_set,
                    },
                    span,
                },
                depth,
            ))
        })
        .map_infix(|lhs, op, rhs| {
            let ((lhs, dl), (rhs, dr)) = (lhs?, rhs?);
            let depth = deeper(src, &op, dl.max(dr) + 1)?;
            let Some(op) = operator(op.as_rule()) else {
                return Err(missing(src, "operator"));
            };
            let span = lhs.span.to(&rhs.span);
            Ok((
                Expr {
                    kind: ExprKind::Binary(op, Box::new(lhs), Box::new(rhs)),
                    span,
                },
                depth,
            ))
        })
        .parse(pairs)
}

fn parse_primary(
    pratt: &PrattParser<Rule>,
    src: &Arc<Source>,
    pair: Pair<Rule>,
) -> Result<Deep, Diag> {
    let span = span_of(src, &pair);
    let mut depth = 1;
    let kind = match pair.as_rule() {
        Rule::expr => return pratt_expr(pratt, src, pair.into_inner()),
        Rule::path => return Ok((parse_path(src, pair), 1)),
        Rule::branch => {
            let path = pair
                .into_inner()
                .next()
                .ok_or_else(|| missing(src, "path"))?;
            match parse_path(src, path).kind {
                ExprKind::Path(segs) => ExprKind::Branch(segs),
                other => other,
            }
        }
        Rule::string => ExprKind::Str(parse_string(&pair)),
        Rule::int => {
            let digits: String = pair.as_str().chars().filter(|c| *c != '_').collect();
            let n = digits.parse::<i64>().map_err(|_| {
                Diag::new(&span, format!("integer `{}` is too large", pair.as_str()))
                    .label("does not fit in 64 bits")
            })?;
            ExprKind::Int(n)
        }
        Rule::date => {
            let d = Date::parse(pair.as_str()).ok_or_else(|| {
                Diag::new(&span, format!("`{}` is not a calendar date", pair.as_str()))
                    .label("no such day")
                    .help("dates are written YYYY-MM-DD, for example `2019-01-31`")
            })?;
            ExprKind::Date(d)
        }
        Rule::duration => {
            let d = parse_duration(pair.as_str()).ok_or_else(|| {
                Diag::new(&span, format!("duration `{}` is too large", pair.as_str()))
            })?;
            ExprKind::Duration(d)
        }
        Rule::kw_today => ExprKind::Today,
        Rule::kw_true => ExprKind::Bool(true),
        Rule::kw_false => ExprKind::Bool(false),
        Rule::list => {
            let mut items = Vec::new();
            for p in pair.into_inner() {
                let (item, d) = parse_deep(src, p)?;
                depth = depth.max(d + 1);
                items.push(item);
            }
            ExprKind::List(items)
        }
        Rule::call => {
            let mut parts = significant(pair.into_inner());
            let func = parts
                .next()
                .map(|p| ident(src, p))
                .ok_or_else(|| missing(src, "function"))?;
            let arg = parts.next().ok_or_else(|| missing(src, "argument"))?;
            let (each, (arg, d)) = if arg.as_rule() == Rule::comprehension {
                let mut parts = significant(arg.into_inner());
                let (var, coll) = var_in(src, &mut parts)?;
                let body = parts.next().ok_or_else(|| missing(src, "body"))?;
                (Some((var, Box::new(coll))), parse_deep(src, body)?)
            } else {
                (None, parse_deep(src, arg)?)
            };
            depth = d + 1;
            ExprKind::Call {
                func,
                each,
                arg: Box::new(arg),
            }
        }
        Rule::quantified => {
            let mut parts = significant(pair.into_inner());
            let q = match parts.next().map(|p| p.as_str().to_string()).as_deref() {
                Some("all") => Quantifier::All,
                Some("no") => Quantifier::No,
                _ => Quantifier::Any,
            };
            let (var, coll) = var_in(src, &mut parts)?;
            let body = parts.next().ok_or_else(|| missing(src, "body"))?;
            let (body, d) = parse_deep(src, body)?;
            depth = d + 1;
            ExprKind::Quantified {
                quantifier: q,
                var,
                collection: Box::new(coll),
                body: Box::new(body),
            }
        }
        _ => return Err(missing(src, "expression")),
    };
    if depth > MAX_EXPR_DEPTH {
        return Err(Diag::new(
            &span,
            format!("this expression is nested more than {MAX_EXPR_DEPTH} levels deep"),
        )
        .label("too deep")
        .help(
            "split the condition: move a part into a `where` clause, or into a rule of its own",
        ));
    }
    Ok((Expr { kind, span }, depth))
}

/// Readable names for grammar rules in "expected ..." messages.
fn rule_name(rule: &Rule) -> &'static str {
    match rule {
        Rule::EOI => "end of file",
        Rule::schema_decl
        | Rule::record_decl
        | Rule::enum_decl
        | Rule::const_decl
        | Rule::policy_decl
        | Rule::rule_decl => {
            "a declaration (`schema`, `record`, `enum`, `const`, `policy` or `rule`)"
        }
        Rule::field => "a field (`name: type`)",
        Rule::type_expr | Rule::type_name | Rule::list_type | Rule::map_type => "a type",
        Rule::optional => "`?`",
        Rule::constraint | Rule::kw_unique | Rule::not_blank | Rule::bound | Rule::bound_op => {
            "a constraint (`unique`, `not blank`, `>= N` or `<= N`)"
        }
        Rule::signed_int => "a whole number",
        Rule::enum_item | Rule::enum_items => "an enum value",
        Rule::title_clause | Rule::kw_title => "`title \"...\"`",
        Rule::severity_clause | Rule::kw_severity => "`severity`",
        Rule::severity => "`error`, `warning` or `note`",
        Rule::each_clause | Rule::kw_each => "`each`",
        Rule::where_clause | Rule::kw_where => "`where`",
        Rule::require_clause | Rule::kw_require => "`require`",
        Rule::message_clause | Rule::kw_message => "`message \"...\"`",
        Rule::at_clause | Rule::kw_at => "`at`",
        Rule::help_clause | Rule::kw_help => "`help \"...\"`",
        Rule::expr
        | Rule::quantified
        | Rule::list
        | Rule::path
        | Rule::branch
        | Rule::call
        | Rule::comprehension => "an expression",
        Rule::requirement => "`each`, `where` or `require`",
        Rule::op_matches | Rule::op_starts_with | Rule::op_ends_with | Rule::op_contains => {
            "`matches`, `starts with`, `ends with` or `contains`"
        }
        Rule::op_or | Rule::op_and => "`and` or `or`",
        Rule::op_not => "`not`",
        Rule::op_eq | Rule::op_ne | Rule::op_lt | Rule::op_le | Rule::op_gt | Rule::op_ge => {
            "a comparison"
        }
        Rule::op_in | Rule::op_not_in | Rule::kw_in => "`in`",
        Rule::op_has_any | Rule::op_has_all | Rule::op_has_none => {
            "`has any`, `has all` or `has none`"
        }
        Rule::op_add | Rule::op_sub => "`+` or `-`",
        Rule::op_is_set | Rule::op_is_not_set => "`is set`",
        Rule::quantifier => "`any`, `all` or `no`",
        Rule::date => "a date",
        Rule::duration => "a duration",
        Rule::int => "an integer",
        Rule::string | Rule::template | Rule::str_inner => "a string",
        Rule::hole => "`{path}`",
        Rule::decl_id => "an id such as `ftc2012/messages-consent`",
        Rule::ident => "a name",
        Rule::kw_for => "`for`",
        Rule::kw_map => "`map`",
        Rule::kw_today => "`today`",
        Rule::kw_true | Rule::kw_false => "`true` or `false`",
        Rule::doc | Rule::docs | Rule::doc_text => "a declaration after the doc comment",
        Rule::WHITESPACE
        | Rule::COMMENT
        | Rule::file
        | Rule::item
        | Rule::infix
        | Rule::prefix
        | Rule::postfix
        | Rule::gap
        | Rule::primary
        | Rule::literal
        | Rule::escape
        | Rule::template_text
        | Rule::id_segment
        | Rule::ident_char
        | Rule::keyword
        | Rule::kw_schema
        | Rule::kw_record
        | Rule::kw_enum
        | Rule::kw_policy
        | Rule::kw_const
        | Rule::kw_rule => "a token",
    }
}

fn pest_error(src: &Arc<Source>, text: &str, err: pest::error::Error<Rule>) -> Diag {
    let pos = match err.location {
        pest::error::InputLocation::Pos(p) => p,
        pest::error::InputLocation::Span((s, _)) => s,
    };
    if let pest::error::ErrorVariant::CustomError { message } = &err.variant {
        if message.contains("limit") {
            return Diag::new(
                &Span::new(src, pos..pos),
                format!(
                    "this file takes the parser more than {} steps per byte",
                    CALLS_PER_BYTE
                ),
            )
            .label("the parser gave up near here")
            .help("look for brackets or quotes left open, and split very long conditions, lists or files");
        }
    }
    let rest = text.get(pos..).unwrap_or("");
    let found_len = match rest.chars().next() {
        None => 0,
        Some(c) if c.is_alphanumeric() || c == '_' => rest
            .find(|c: char| !(c.is_alphanumeric() || c == '_'))
            .unwrap_or(rest.len()),
        Some(c) => c.len_utf8(),
    };
    let found = if rest.is_empty() {
        "end of file".to_string()
    } else {
        format!("`{}`", rest.get(..found_len).unwrap_or(""))
    };
    let span = Span::new(src, pos..pos + found_len);
    let expected = match &err.variant {
        pest::error::ErrorVariant::ParsingError { positives, .. } => {
            let mut names: Vec<&str> = positives.iter().map(rule_name).collect();
            names.sort_unstable();
            names.dedup();
            // "a token" says nothing when a better name stands beside it.
            if names.len() > 1 {
                names.retain(|n| *n != "a token");
            }
            names
        }
        pest::error::ErrorVariant::CustomError { .. } => Vec::new(),
    };
    let message = match expected.as_slice() {
        [] => format!("unexpected {found}"),
        [one] => format!("expected {one}, found {found}"),
        [init @ .., last] => format!("expected {} or {last}, found {found}", init.join(", ")),
    };
    let found_word = rest.get(..found_len).unwrap_or("");
    // A string or bracket left open is the mistake, wherever the parser
    // noticed it: point at where it opened.
    if let Some((at, open)) = unclosed(text).filter(|(at, _)| *at <= pos) {
        let (message, label, help) = if open == '"' {
            (
                "this string is never closed".to_string(),
                "opens here",
                "end it with `\"` on the same line: strings do not span lines".to_string(),
            )
        } else {
            let close = match open {
                '{' => '}',
                '[' => ']',
                _ => ')',
            };
            (
                format!("this `{open}` is never closed"),
                "opens here",
                format!("close it with `{close}`; the parser noticed at {found}"),
            )
        };
        return Diag::new(&Span::new(src, at..at + 1), message)
            .label(label)
            .help(help);
    }
    let reserved = [
        "and", "or", "not", "in", "has", "is", "today", "true", "false",
    ];
    // Operators of other languages.
    let other_language = [
        ("&&", "`and`"),
        ("||", "`or`"),
        ("!", "`not`"),
        ("'", "strings in double quotes: `\"...\"`"),
    ]
    .into_iter()
    .find(|(written, _)| rest.starts_with(written) && !rest.starts_with("!="));
    if let Some((written, ours)) = other_language {
        return Diag::new(
            &Span::new(src, pos..pos + written.len()),
            format!("`{written}` is not part of the policy language"),
        )
        .label("written here")
        .help(format!("write {ours}"));
    }
    if found_word == "=" && !rest.starts_with("==") {
        return Diag::new(&span, "`=` is not a comparison")
            .label("a single `=`")
            .help("compare with `==`");
    }
    let clause = |w: &str| {
        matches!(
            w,
            "message" | "help" | "at" | "require" | "each" | "where" | "}" | ""
        )
    };
    if expected.contains(&"`require`") && clause(found_word) && found_word != "require" {
        return Diag::new(&span, "this requirement has no `require`")
            .label("`require <condition>` was expected before this")
            .help("every requirement says what its bindings must satisfy: add `require <condition>` before `message`");
    }
    if expected.contains(&"`message \"...\"`") && clause(found_word) && found_word != "message" {
        return Diag::new(&span, "this requirement has no `message`")
            .label("`message \"...\"` was expected before this")
            .help("after `require` (and `at`), say what a failure means: `message \"...\"`");
    }
    let diag = Diag::new(&span, message).label("unexpected here");
    if reserved.contains(&found_word) {
        diag.help(format!(
            "`{found_word}` is a reserved word of the policy language and cannot name a field or variable"
        ))
    } else if expected.contains(&"`require`") {
        diag.help("every rule says what its bindings must satisfy: add `require <condition>` before `message`")
    } else {
        diag
    }
}

/// The first string, brace, bracket or parenthesis of a policy text that is
/// never closed, with its offset; `None` when all are. Comments and the
/// insides of strings do not count.
fn unclosed(text: &str) -> Option<(usize, char)> {
    let mut open: Vec<(usize, char)> = Vec::new();
    let mut chars = text.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        match c {
            '/' if chars.peek().map(|&(_, n)| n) == Some('/') => {
                for (_, n) in chars.by_ref() {
                    if n == '\n' {
                        break;
                    }
                }
            }
            '"' => loop {
                match chars.next() {
                    Some((_, '\\')) => {
                        chars.next();
                    }
                    Some((_, '"')) => break,
                    Some((_, '\n')) | None => return Some((i, '"')),
                    Some(_) => {}
                }
            },
            '{' | '[' | '(' => open.push((i, c)),
            '}' | ']' | ')' => {
                let want = match c {
                    '}' => '{',
                    ']' => '[',
                    _ => '(',
                };
                match open.last() {
                    Some(&(_, o)) if o == want => {
                        open.pop();
                    }
                    // A stray closer: not a thing left open.
                    _ => {}
                }
            }
            _ => {}
        }
    }
    open.last().copied()
}
