//! A policy file's concrete syntax: every token as written, grouped as the
//! grammar groups them. The syntax tree (`ast`) keeps what a policy means;
//! this tree keeps how it is written (brackets, the place of each `where`,
//! `1_000_000`, `2w`, escapes in strings), which the formatter lays out
//! again. Punctuation and comments are not nodes: they lie in the gaps
//! between tokens, where the formatter finds them.

use super::{Grammar, Rule};
use crate::ast::BinOp;
use pest::iterators::Pair;
use pest::Parser as _;
use std::ops::Range;

/// A node of the tree. A token (see [`Kind::is_token`]) has no children.
#[derive(Debug, Clone)]
pub struct Node {
    pub kind: Kind,
    /// Its bytes in the text.
    pub range: Range<usize>,
    pub children: Vec<Node>,
}

/// What a node is. The declarations, clauses and expressions mirror the
/// grammar's rules of the same name (grammar/proviso.pest).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    File,
    /// The doc comments before a declaration, a field or an enum item.
    Docs,
    Schema,
    Record,
    Field,
    Constraint,
    /// `>= 0`: its operator and its number.
    Bound,
    Type,
    ListType,
    MapType,
    TypeName,
    Enum,
    EnumItems,
    EnumItem,
    Policy,
    Const,
    Rule,
    Title,
    Severity,
    Requirement,
    Each,
    Where,
    Require,
    At,
    Message,
    Help,
    /// Operands and operators in the order written; an `Expr` among them
    /// is one in brackets.
    Expr,
    Call,
    /// `v in xs: body` as a function's argument.
    Comprehension,
    Quantified,
    List,
    // Tokens.
    /// `/// ...`
    Doc,
    /// A binary operator; `not in`, `has any` and the like are one token.
    Op(BinOp),
    /// The prefix `not`.
    Not,
    /// `is set`, or `is not set` when negated.
    IsSet {
        negated: bool,
    },
    /// `not blank`, a field's constraint.
    NotBlank,
    /// Any other token: a keyword, a name, a path, a literal, a string.
    Word,
}

impl Kind {
    pub fn is_token(self) -> bool {
        matches!(
            self,
            Kind::Doc | Kind::Op(_) | Kind::Not | Kind::IsSet { .. } | Kind::NotBlank | Kind::Word
        )
    }
}

/// The tree of a policy file's text; `None` when the text does not parse
/// (its errors come from [`super::parse_file`], which can give the tree
/// too: [`super::parse_file_and_tree`]).
pub fn tree(text: &str) -> Option<Node> {
    let file = Grammar::parse(Rule::file, text).ok()?.next()?;
    Some(node(text, file))
}

pub(super) fn node(text: &str, pair: Pair<Rule>) -> Node {
    let span = pair.as_span();
    let kind = match kind(pair.as_rule()) {
        Shape::Token(kind) => {
            return Node {
                kind,
                range: span.start()..span.end(),
                children: Vec::new(),
            }
        }
        Shape::Inner(kind) => kind,
    };
    let children: Vec<Node> = pair
        .into_inner()
        .filter(|p| p.as_rule() != Rule::EOI)
        .map(|p| node(text, p))
        .collect();
    // pest's span of a rule may run on over the white space and comments
    // after it; the node ends at its last token or closing bracket, so that
    // what lies between two nodes is what lies between their tokens.
    let last = children
        .iter()
        .rev()
        .find(|c| !c.range.is_empty())
        .map_or(span.start(), |c| c.range.end);
    Node {
        kind,
        range: span.start()..punctuation_end(text, last, span.end()),
        children,
    }
}

/// Where the punctuation between `from` and `to` ends (`from` if there is
/// none), past white space and comments.
fn punctuation_end(text: &str, from: usize, to: usize) -> usize {
    let bytes = text.as_bytes();
    let (mut i, mut end) = (from, from);
    while i < to {
        match bytes.get(i) {
            Some(b'/') if bytes.get(i + 1) == Some(&b'/') => {
                while i < to && bytes.get(i) != Some(&b'\n') {
                    i += 1;
                }
            }
            Some(b' ' | b'\t' | b'\r' | b'\n') => i += 1,
            Some(_) => {
                i += 1;
                end = i;
            }
            None => break,
        }
    }
    end
}

enum Shape {
    /// A node whose inside is its children.
    Inner(Kind),
    /// A token, whose inside is its text.
    Token(Kind),
}

/// What each rule of the grammar becomes. Rules inside a token (the parts
/// of a path, a string, a template) never reach here, nor do the silent
/// ones; they are listed so that a new rule must be placed.
fn kind(rule: Rule) -> Shape {
    use Shape::{Inner, Token};
    match rule {
        Rule::file => Inner(Kind::File),
        Rule::docs => Inner(Kind::Docs),
        Rule::schema_decl => Inner(Kind::Schema),
        Rule::record_decl => Inner(Kind::Record),
        Rule::field => Inner(Kind::Field),
        Rule::constraint => Inner(Kind::Constraint),
        Rule::bound => Inner(Kind::Bound),
        Rule::type_expr => Inner(Kind::Type),
        Rule::list_type => Inner(Kind::ListType),
        Rule::map_type => Inner(Kind::MapType),
        Rule::type_name => Inner(Kind::TypeName),
        Rule::enum_decl => Inner(Kind::Enum),
        Rule::enum_items => Inner(Kind::EnumItems),
        Rule::enum_item => Inner(Kind::EnumItem),
        Rule::policy_decl => Inner(Kind::Policy),
        Rule::const_decl => Inner(Kind::Const),
        Rule::rule_decl => Inner(Kind::Rule),
        Rule::requirement => Inner(Kind::Requirement),
        Rule::title_clause => Inner(Kind::Title),
        Rule::severity_clause => Inner(Kind::Severity),
        Rule::each_clause => Inner(Kind::Each),
        Rule::where_clause => Inner(Kind::Where),
        Rule::require_clause => Inner(Kind::Require),
        Rule::at_clause => Inner(Kind::At),
        Rule::message_clause => Inner(Kind::Message),
        Rule::help_clause => Inner(Kind::Help),
        Rule::expr => Inner(Kind::Expr),
        Rule::call => Inner(Kind::Call),
        Rule::comprehension => Inner(Kind::Comprehension),
        Rule::quantified => Inner(Kind::Quantified),
        Rule::list => Inner(Kind::List),
        Rule::doc => Token(Kind::Doc),
        Rule::op_not => Token(Kind::Not),
        Rule::op_is_set => Token(Kind::IsSet { negated: false }),
        Rule::op_is_not_set => Token(Kind::IsSet { negated: true }),
        Rule::not_blank => Token(Kind::NotBlank),
        Rule::op_or => Token(Kind::Op(BinOp::Or)),
        Rule::op_and => Token(Kind::Op(BinOp::And)),
        Rule::op_eq => Token(Kind::Op(BinOp::Eq)),
        Rule::op_ne => Token(Kind::Op(BinOp::Ne)),
        Rule::op_le => Token(Kind::Op(BinOp::Le)),
        Rule::op_ge => Token(Kind::Op(BinOp::Ge)),
        Rule::op_lt => Token(Kind::Op(BinOp::Lt)),
        Rule::op_gt => Token(Kind::Op(BinOp::Gt)),
        Rule::op_not_in => Token(Kind::Op(BinOp::NotIn)),
        Rule::op_in => Token(Kind::Op(BinOp::In)),
        Rule::op_has_any => Token(Kind::Op(BinOp::HasAny)),
        Rule::op_has_all => Token(Kind::Op(BinOp::HasAll)),
        Rule::op_has_none => Token(Kind::Op(BinOp::HasNone)),
        Rule::op_matches => Token(Kind::Op(BinOp::Matches)),
        Rule::op_starts_with => Token(Kind::Op(BinOp::StartsWith)),
        Rule::op_ends_with => Token(Kind::Op(BinOp::EndsWith)),
        Rule::op_contains => Token(Kind::Op(BinOp::Contains)),
        Rule::op_add => Token(Kind::Op(BinOp::Add)),
        Rule::op_sub => Token(Kind::Op(BinOp::Sub)),
        Rule::ident
        | Rule::decl_id
        | Rule::path
        | Rule::branch
        | Rule::string
        | Rule::template
        | Rule::int
        | Rule::date
        | Rule::duration
        | Rule::severity
        | Rule::quantifier
        | Rule::optional
        | Rule::bound_op
        | Rule::signed_int
        | Rule::kw_unique
        | Rule::kw_schema
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
        | Rule::kw_today
        | Rule::kw_true
        | Rule::kw_false => Token(Kind::Word),
        Rule::EOI
        | Rule::WHITESPACE
        | Rule::COMMENT
        | Rule::item
        | Rule::doc_text
        | Rule::infix
        | Rule::prefix
        | Rule::postfix
        | Rule::gap
        | Rule::primary
        | Rule::literal
        | Rule::str_inner
        | Rule::escape
        | Rule::hole
        | Rule::template_text
        | Rule::id_segment
        | Rule::ident_char
        | Rule::keyword => Token(Kind::Word),
    }
}
