//! The canonical layout of each construct (docs/language.md, "Formatting",
//! says it in words). Each function writes one node of the concrete syntax
//! tree, its tokens and punctuation in the order of the text.

use super::printer::Printer;
use super::WIDTH;
use crate::ast::BinOp;
use crate::syntax::tree::{Kind, Node};

/// Columns of indentation a block adds.
const INDENT: usize = 2;
/// The keyword of `title` and `severity`, padded: their values line up.
const RULE_HEAD: usize = 9;
/// The keyword of `where`, `require`, `at`, `message` and `help`, padded.
const CLAUSE: usize = 8;

pub(super) fn file(p: &mut Printer, file: &Node) {
    for item in &file.children {
        p.line(0, true);
        declaration(p, item, 0);
    }
}

fn declaration(p: &mut Printer, node: &Node, indent: usize) {
    match node.kind {
        Kind::Schema | Kind::Record => record(p, node, indent),
        Kind::Enum => enumeration(p, node, indent),
        Kind::Const => constant(p, node, indent),
        Kind::Rule => rule(p, node, indent),
        // `policy NAME for SCHEMA`
        _ => words(p, node, indent),
    }
}

/// The text a token is written as: operators of two words and `not blank`
/// with one space between, a doc comment without white space at its end,
/// anything else as written.
fn shown<'t>(text: &'t str, node: &Node) -> &'t str {
    match node.kind {
        Kind::Op(op) => op.as_str(),
        Kind::Not => "not",
        Kind::IsSet { negated: false } => "is set",
        Kind::IsSet { negated: true } => "is not set",
        Kind::NotBlank => "not blank",
        Kind::Doc => text.get(node.range.clone()).unwrap_or("").trim_end(),
        _ => text.get(node.range.clone()).unwrap_or(""),
    }
}

fn word(p: &mut Printer, node: &Node) {
    let text = shown(p.source(), node);
    p.token(node, text);
}

/// Doc comments, one a line, and the line after them.
fn docs(p: &mut Printer, node: &Node, indent: usize) {
    for (i, doc) in node.children.iter().enumerate() {
        if i > 0 {
            p.line(indent, false);
        }
        word(p, doc);
    }
    if !node.children.is_empty() {
        p.line(indent, false);
    }
}

/// A node's docs, then its tokens with a space between each:
/// `policy ftc2012 for partnership/v1`, `>= 0`.
fn words(p: &mut Printer, node: &Node, indent: usize) {
    let mut first = true;
    for child in &node.children {
        if child.kind == Kind::Docs {
            docs(p, child, indent);
            continue;
        }
        if !first {
            p.space();
        }
        first = false;
        if child.kind.is_token() {
            word(p, child);
        } else {
            words(p, child, indent);
        }
    }
}

/// `schema ID { fields }` and `record Name { fields }`: a field a line.
fn record(p: &mut Printer, node: &Node, indent: usize) {
    let inner = indent + INDENT;
    let mut fields = Vec::new();
    for child in &node.children {
        match child.kind {
            Kind::Docs => docs(p, child, indent),
            Kind::Field => fields.push(child),
            _ => {
                word(p, child);
                p.space();
            }
        }
    }
    p.punct('{');
    if fields.is_empty() && !p.comments_ahead() {
        return p.punct('}');
    }
    for (i, f) in fields.into_iter().enumerate() {
        p.line(inner, i > 0);
        field(p, f, inner);
    }
    close(p, '}', indent);
}

/// The comments left in a block, then its closing bracket on a line of
/// its own.
fn close(p: &mut Printer, c: char, indent: usize) {
    p.comments_here(indent + INDENT, true);
    p.line(indent, false);
    p.punct(c);
}

/// `name: type constraints`, without the comma the grammar allows after it.
fn field(p: &mut Printer, node: &Node, indent: usize) {
    for child in &node.children {
        match child.kind {
            Kind::Docs => docs(p, child, indent),
            Kind::Type => {
                p.punct(':');
                p.space();
                ty(p, child);
            }
            Kind::Constraint => {
                p.space();
                words(p, child, indent);
            }
            _ => word(p, child),
        }
    }
    p.drop_punct(',');
}

/// `T`, `[T]`, `map<K, V>`, each with `?` after it when optional.
fn ty(p: &mut Printer, node: &Node) {
    for child in &node.children {
        match child.kind {
            Kind::ListType => {
                p.punct('[');
                child.children.iter().for_each(|t| ty(p, t));
                p.punct(']');
            }
            Kind::MapType => {
                for (i, part) in child.children.iter().enumerate() {
                    match (i, part.kind) {
                        (_, Kind::Word) => word(p, part),
                        (1, _) => {
                            p.punct('<');
                            ty(p, part);
                        }
                        _ => {
                            p.punct(',');
                            p.space();
                            ty(p, part);
                            p.punct('>');
                        }
                    }
                }
            }
            Kind::TypeName => child.children.iter().for_each(|n| word(p, n)),
            _ => word(p, child),
        }
    }
}

/// `enum Name { values }`.
fn enumeration(p: &mut Printer, node: &Node, indent: usize) {
    for child in &node.children {
        match child.kind {
            Kind::Docs => docs(p, child, indent),
            Kind::EnumItems => enum_items(p, child, indent),
            _ => {
                word(p, child);
                p.space();
            }
        }
    }
}

/// An enum's values: a list (`{ a, b, c }`, or rows of them) when they are
/// plain names; a value a line when one has a doc comment or values of its
/// own (a branch of a taxonomy).
fn enum_items(p: &mut Printer, node: &Node, indent: usize) {
    let block = node.children.iter().any(|item| {
        item.children
            .iter()
            .any(|c| c.kind == Kind::EnumItems || (c.kind == Kind::Docs && !c.children.is_empty()))
    });
    if !block {
        let names: Vec<&Node> = node.children.iter().collect();
        return list(p, '{', '}', &names, |p, item| {
            for c in item.children.iter().filter(|c| c.kind == Kind::Word) {
                word(p, c);
            }
        });
    }
    let inner = indent + INDENT;
    p.punct('{');
    for (i, item) in node.children.iter().enumerate() {
        p.line(inner, i > 0);
        for c in &item.children {
            match c.kind {
                Kind::Docs => docs(p, c, inner),
                Kind::EnumItems => {
                    p.space();
                    enum_items(p, c, inner);
                }
                _ => word(p, c),
            }
        }
        p.drop_punct(',');
    }
    close(p, '}', indent);
}

/// Items between brackets, separated by commas. On one line (`[a, b]`,
/// `{ a, b }`) when the text has them on one line and they fit; else a row
/// a line as the text has them, each row indented and ending in a comma,
/// a row too long for the width carried over to the next line.
fn list(
    p: &mut Printer,
    open: char,
    close: char,
    items: &[&Node],
    item: impl Fn(&mut Printer, &Node),
) {
    p.punct(open);
    let text = p.source();
    let mut gaps = Vec::with_capacity(items.len() + 1);
    let mut from = p.last_end();
    for it in items {
        gaps.push(breaks(text, from, it.range.start));
        from = it.range.end;
    }
    let end = p.find_punct(close, from).unwrap_or(from);
    let last_gap = breaks(text, from, end);
    let pad = open == '{' && !items.is_empty();
    if !last_gap && !gaps.iter().any(|&g| g) {
        let one_line = p.flat(|p| {
            if pad {
                p.text(" ");
            }
            for (i, it) in items.iter().enumerate() {
                if i > 0 {
                    p.text(", ");
                }
                item(p, it);
                p.drop_punct(',');
            }
            if pad {
                p.text(" ");
            }
            p.punct(close);
        });
        if one_line {
            return;
        }
    }
    let base = p.line_indent();
    let inner = base + INDENT;
    for (i, (it, &row)) in items.iter().zip(&gaps).enumerate() {
        if i == 0 || row {
            p.line(inner, i > 0);
            item(p, it);
            comma(p);
            continue;
        }
        let mark = p.mark();
        p.space();
        item(p, it);
        comma(p);
        if p.col() > WIDTH {
            p.reset(mark);
            p.line(inner, false);
            item(p, it);
            comma(p);
        }
    }
    self::close(p, close, base);
}

fn comma(p: &mut Printer) {
    p.drop_punct(',');
    p.text(",");
}

/// Whether the text between two offsets breaks a line.
fn breaks(text: &str, from: usize, to: usize) -> bool {
    text.get(from..to).is_some_and(|gap| gap.contains('\n'))
}

/// `const NAME: T = value`.
fn constant(p: &mut Printer, node: &Node, indent: usize) {
    let mut words = 0;
    for child in &node.children {
        match child.kind {
            Kind::Docs => docs(p, child, indent),
            Kind::Type => {
                p.punct(':');
                p.space();
                ty(p, child);
            }
            Kind::Expr => {
                p.space();
                p.punct('=');
                p.space();
                let col = p.col();
                expr(p, child, Group::Clause(col));
            }
            _ => {
                if words > 0 {
                    p.space();
                }
                words += 1;
                word(p, child);
            }
        }
    }
}

/// `rule ID { title, severity, requirements }`: a clause a line.
fn rule(p: &mut Printer, node: &Node, indent: usize) {
    let inner = indent + INDENT;
    let mut words = 0;
    for child in &node.children {
        match child.kind {
            Kind::Docs => docs(p, child, indent),
            Kind::Title => {
                p.space();
                p.punct('{');
                p.line(inner, false);
                clause(p, child, RULE_HEAD);
            }
            Kind::Severity => {
                p.line(inner, true);
                clause(p, child, RULE_HEAD);
            }
            Kind::Requirement => {
                let mut after_each = false;
                for c in &child.children {
                    // A `where` right after an `each` filters that binding:
                    // it goes under it.
                    if c.kind == Kind::Where && after_each {
                        p.line(inner + INDENT, false);
                        clause(p, c, 0);
                    } else {
                        p.line(inner, true);
                        clause(p, c, if c.kind == Kind::Each { 0 } else { CLAUSE });
                    }
                    after_each = c.kind == Kind::Each;
                }
            }
            _ => {
                if words > 0 {
                    p.space();
                }
                words += 1;
                word(p, child);
            }
        }
    }
    close(p, '}', indent);
}

/// A keyword padded to `width` (or followed by one space), then its value.
fn clause(p: &mut Printer, node: &Node, width: usize) {
    let start = p.col();
    let mut parts = node.children.iter();
    if let Some(keyword) = parts.next() {
        word(p, keyword);
        p.pad_to(start + width);
    }
    for (i, part) in parts.enumerate() {
        if i > 0 {
            p.space();
        }
        match part.kind {
            Kind::Expr => {
                let col = p.col();
                expr(p, part, Group::Clause(col));
            }
            _ => word(p, part),
        }
    }
}

/// Where the operators of a broken `and`/`or` chain go.
#[derive(Debug, Clone, Copy)]
enum Group {
    /// A clause's value starting at this column: the operators end before
    /// it, so the operands line up.
    Clause(usize),
    /// Brackets opened at this column: the operators start under them.
    Bracket(usize),
    /// A quantifier's or a function's body starting at this column: the
    /// operators start under it.
    Body(usize),
}

impl Group {
    fn column(self, op: BinOp) -> usize {
        match self {
            Group::Clause(col) => col.saturating_sub(op.as_str().len() + 1),
            Group::Bracket(col) | Group::Body(col) => col,
        }
    }
}

fn expr(p: &mut Printer, node: &Node, group: Group) {
    sequence(p, &node.children, group, true);
}

/// Operands and operators as written. A chain of `or`, else of `and`, is
/// written on one line when it fits and the text does not break it; else
/// it is broken before each of its operators.
fn sequence(p: &mut Printer, seq: &[Node], group: Group, whole: bool) {
    let chain = [BinOp::Or, BinOp::And]
        .into_iter()
        .find(|&op| seq.iter().any(|n| n.kind == Kind::Op(op)));
    let Some(op) = chain else {
        return operands(p, seq, group, whole);
    };
    let mut parts: Vec<&[Node]> = Vec::new();
    let mut ops: Vec<&Node> = Vec::new();
    let mut rest = seq;
    while let Some(at) = rest.iter().position(|n| n.kind == Kind::Op(op)) {
        let (part, tail) = rest.split_at(at);
        parts.push(part);
        if let Some((o, tail)) = tail.split_first() {
            ops.push(o);
            rest = tail;
        }
    }
    parts.push(rest);
    let text = p.source();
    let broken =
        ops.iter()
            .zip(parts.iter().zip(parts.iter().skip(1)))
            .any(|(o, (before, after))| {
                let end = before.last().map_or(o.range.start, |n| n.range.end);
                let start = after.first().map_or(o.range.end, |n| n.range.start);
                breaks(text, end, o.range.start) || breaks(text, o.range.end, start)
            });
    let write = |p: &mut Printer, broken: bool| {
        for (i, part) in parts.iter().enumerate() {
            if let Some(o) = i.checked_sub(1).and_then(|j| ops.get(j)) {
                if broken {
                    p.line(group.column(op), false);
                } else {
                    p.space();
                }
                word(p, o);
                p.space();
            }
            sequence(p, part, group, false);
        }
    };
    if !broken && p.flat(|p| write(p, false)) {
        return;
    }
    write(p, true);
}

/// Operands and the operators that bind tighter than `and`, a space
/// between each.
fn operands(p: &mut Printer, seq: &[Node], group: Group, whole: bool) {
    for (i, node) in seq.iter().enumerate() {
        if i > 0 {
            p.space();
        }
        match node.kind {
            Kind::Expr => {
                p.punct('(');
                let col = p.col().saturating_sub(1);
                expr(p, node, Group::Bracket(col));
                p.punct(')');
            }
            Kind::List => {
                let items: Vec<&Node> = node.children.iter().collect();
                list(p, '[', ']', &items, |p, item| {
                    let col = p.col();
                    expr(p, item, Group::Body(col));
                });
            }
            Kind::Call => call(p, node),
            Kind::Quantified => {
                // A quantifier that is all there is continues its group:
                // its body runs to the group's end.
                let inherit = (whole && seq.len() == 1).then_some(group);
                binder(p, &node.children, inherit);
            }
            _ => word(p, node),
        }
    }
}

/// `count(grants)`, `count(g in grants: body)`.
fn call(p: &mut Printer, node: &Node) {
    for child in &node.children {
        match child.kind {
            Kind::Comprehension => {
                p.punct('(');
                binder(p, &child.children, None);
            }
            Kind::Expr => {
                p.punct('(');
                let col = p.col().saturating_sub(1);
                expr(p, child, Group::Bracket(col));
            }
            _ => word(p, child),
        }
    }
    p.punct(')');
}

/// `[any] v in xs: body`, the body in `inherit`'s group if given, else in
/// its own.
fn binder(p: &mut Printer, parts: &[Node], inherit: Option<Group>) {
    for (i, part) in parts.iter().enumerate() {
        if part.kind == Kind::Expr {
            p.punct(':');
            p.space();
            let group = inherit.unwrap_or(Group::Body(p.col()));
            expr(p, part, group);
        } else {
            if i > 0 {
                p.space();
            }
            word(p, part);
        }
    }
}
