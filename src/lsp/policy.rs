//! What is at a place in a policy file: the smallest checked expression of
//! a rule that holds it, its type, and for a field, its declaration.

use crate::check::ir::{Expr, Kind, Part, Rule};
use crate::check::Program;
use crate::schema::{FieldDef, Ty};
use crate::source::Span;

/// The innermost expression of the program's rules, in the file named
/// `file`, whose text holds `offset`.
pub fn expr_at<'p>(program: &'p Program, file: &str, offset: usize) -> Option<&'p Expr> {
    let mut best: Option<&Expr> = None;
    for rule in program.rules.iter().filter(|r| r.span.src.name == file) {
        for e in exprs(rule) {
            innermost(e, offset, &mut best);
        }
    }
    best
}

fn exprs(rule: &Rule) -> Vec<&Expr> {
    let mut out = Vec::new();
    for r in &rule.requirements {
        for each in &r.each {
            out.push(&each.collection);
            out.extend(each.filter.iter());
        }
        out.extend(r.filter.iter());
        out.push(&r.require);
        out.extend(r.at.iter());
        for part in r.message.iter().chain(r.help.iter().flatten()) {
            if let Part::Hole(e) = part {
                out.push(e);
            }
        }
    }
    out
}

fn innermost<'p>(e: &'p Expr, offset: usize, best: &mut Option<&'p Expr>) {
    let r = e.span.range();
    if offset < r.start || offset > r.end {
        return;
    }
    // The implicit root of a path has the path's own span: the path is
    // what is named there.
    let named = !matches!(e.kind, Kind::Root | Kind::Manifests);
    if named && best.is_none_or(|b| b.span.range().len() > r.len()) {
        *best = Some(e);
    }
    for child in children(e) {
        innermost(child, offset, best);
    }
}

fn children(e: &Expr) -> Vec<&Expr> {
    match &e.kind {
        Kind::Field { base, .. } => vec![base],
        Kind::List(items) => items.iter().collect(),
        Kind::Not(a) | Kind::Matches(a, _) => vec![a],
        Kind::IsSet { expr, .. } => vec![expr],
        Kind::And(a, b)
        | Kind::Or(a, b)
        | Kind::Cmp(_, a, b)
        | Kind::Has(_, a, b)
        | Kind::Text(_, a, b)
        | Kind::Arith(_, a, b) => vec![a, b],
        Kind::In { elem, set, .. } => vec![elem, set],
        Kind::Agg {
            collection, body, ..
        } => std::iter::once(&**collection)
            .chain(body.as_deref())
            .collect(),
        Kind::Quant {
            collection, body, ..
        } => vec![collection, body],
        Kind::Root | Kind::Manifests | Kind::Var(_) | Kind::Lit(_) | Kind::Today => Vec::new(),
    }
}

/// The field a path expression reads, when it reads one.
pub fn field<'p>(program: &'p Program, e: &Expr) -> Option<&'p FieldDef> {
    let Kind::Field { base, index, .. } = &e.kind else {
        return None;
    };
    let mut ty = base.ty.required();
    while let Ty::List(inner) = ty {
        ty = inner.required();
    }
    let Ty::Record(id) = ty else {
        return None;
    };
    program.types.record(*id)?.fields.get(*index)
}

/// What a hover says of an expression: its text and type, and for a field
/// its doc comment.
pub fn describe(program: &Program, e: &Expr) -> String {
    let mut out = format!(
        "`{}`: `{}`",
        e.span
            .text()
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" "),
        program.types.display(&e.ty)
    );
    if let Some(f) = field(program, e) {
        if !f.doc.is_empty() {
            out.push_str("\n\n");
            out.push_str(&f.doc);
        }
    }
    out
}

/// Where what an expression names is declared: a field's declaration, or
/// an enum value's enum.
pub fn declaration(program: &Program, e: &Expr) -> Option<Span> {
    if let Some(f) = field(program, e) {
        return Some(f.span.clone());
    }
    match (&e.kind, e.ty.required()) {
        (Kind::Lit(_), Ty::Enum(id)) => program.types.enum_def(*id).map(|d| d.span.clone()),
        _ => None,
    }
}

/// The declaration a word of a policy names: a record, an enum, a constant
/// or a rule (by id), when the word is not part of a checked expression
/// (a type in a field's declaration, a constant's name).
pub fn named(program: &Program, text: &str, offset: usize) -> Option<Span> {
    let word_char = |c: char| c.is_alphanumeric() || c == '_' || c == '/' || c == '-';
    let start = text
        .get(..offset)?
        .rfind(|c: char| !word_char(c))
        .map_or(0, |i| i + 1);
    let end = text
        .get(offset..)?
        .find(|c: char| !word_char(c))
        .map_or(text.len(), |i| offset + i);
    let word = text.get(start..end)?;
    let types = &program.types;
    types
        .records
        .iter()
        .find(|r| r.name == word)
        .map(|r| r.span.clone())
        .or_else(|| {
            types
                .enums
                .iter()
                .find(|e| e.name == word)
                .map(|e| e.span.clone())
        })
        .or_else(|| {
            types
                .consts
                .iter()
                .find(|c| c.name == word)
                .map(|c| c.span.clone())
        })
        .or_else(|| program.rule(word).map(|r| r.id_span.clone()))
}
