//! The checked form of rules, ready to evaluate: names resolved to slots
//! and field indices, enum literals to values, every node typed.

use crate::ast::{Quantifier, Severity};
use crate::schema::Ty;
use crate::source::Span;
use crate::value::Value;

#[derive(Debug)]
pub struct Expr {
    pub kind: Kind,
    pub ty: Ty,
    pub span: Span,
}

pub use crate::ops::{Arith, Cmp, Has, Text};

#[derive(Debug)]
pub enum Kind {
    /// The manifest itself.
    Root,
    /// Every manifest of the run of the rule's schema, as a list: a rule
    /// that reads it runs once over all of them.
    Manifests,
    /// A variable bound by `each` or a quantifier.
    Var(usize),
    Field {
        base: Box<Expr>,
        index: usize,
        name: String,
    },
    Lit(Value),
    Today,
    List(Vec<Expr>),
    Not(Box<Expr>),
    And(Box<Expr>, Box<Expr>),
    Or(Box<Expr>, Box<Expr>),
    Cmp(Cmp, Box<Expr>, Box<Expr>),
    /// Membership in a list, or among a map's keys.
    In {
        elem: Box<Expr>,
        set: Box<Expr>,
        negated: bool,
    },
    Has(Has, Box<Expr>, Box<Expr>),
    /// `s starts with t`, `s ends with t`, `s contains t`.
    Text(Text, Box<Expr>, Box<Expr>),
    /// `s matches "pattern"`, the pattern compiled when the policy was
    /// checked.
    Matches(Box<Expr>, Pattern),
    /// `count(xs)`, `count(x in xs: cond)`, `sum(...)`, `unique(...)`,
    /// `length(s)`. With a variable, `body` is evaluated for each item
    /// bound in `slot`; without, the items themselves are used.
    Agg {
        agg: Agg,
        slot: Option<usize>,
        collection: Box<Expr>,
        body: Option<Box<Expr>>,
    },
    Arith(Arith, Box<Expr>, Box<Expr>),
    IsSet {
        expr: Box<Expr>,
        negated: bool,
    },
    Quant {
        quantifier: Quantifier,
        slot: usize,
        collection: Box<Expr>,
        body: Box<Expr>,
    },
}

/// A function over a list (or, for `length`, a string).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Agg {
    /// The number of items, or of items for which the body holds.
    Count,
    /// The sum of the items (or of the body's values): ints or durations.
    Sum,
    /// Whether no two items (or the body's values) are equal.
    Unique,
    /// The number of characters of a string, or of items of a list.
    Length,
}

impl Agg {
    pub const ALL: [Agg; 4] = [Agg::Count, Agg::Length, Agg::Sum, Agg::Unique];

    pub fn name(self) -> &'static str {
        match self {
            Agg::Count => "count",
            Agg::Sum => "sum",
            Agg::Unique => "unique",
            Agg::Length => "length",
        }
    }
}

/// A regular expression of a policy, with its text (for the image and for
/// messages).
#[derive(Debug, Clone)]
pub struct Pattern {
    pub source: String,
    pub regex: regex::Regex,
}

impl Pattern {
    /// Patterns are compiled with bounded size: a policy cannot make the
    /// checker build an automaton of unbounded size.
    pub fn new(source: &str) -> Result<Pattern, regex::Error> {
        let regex = regex::RegexBuilder::new(source)
            .size_limit(1 << 20)
            .dfa_size_limit(1 << 20)
            .nest_limit(64)
            .build()?;
        Ok(Pattern {
            source: source.to_string(),
            regex,
        })
    }
}

#[derive(Debug)]
pub enum Part {
    Text(String),
    Hole(Expr),
}

#[derive(Debug)]
pub struct Each {
    pub slot: usize,
    pub name: String,
    pub collection: Expr,
    /// Bindings that fail it are skipped (not applicable).
    pub filter: Option<Expr>,
}

/// One requirement of a rule: its bindings, condition, and what a
/// failure says.
#[derive(Debug)]
pub struct Requirement {
    pub each: Vec<Each>,
    pub filter: Option<Expr>,
    pub require: Expr,
    /// Where a failure points, when the requirement says.
    pub at: Option<Expr>,
    pub message: Vec<Part>,
    pub help: Option<Vec<Part>>,
    pub span: Span,
}

#[derive(Debug)]
pub struct Rule {
    pub id: String,
    pub title: String,
    pub severity: Severity,
    pub doc: String,
    /// The policy (`policy ftc2012 for ...`) that declares the rule.
    pub policy: String,
    /// Index into `Types::schemas`.
    pub schema: usize,
    pub requirements: Vec<Requirement>,
    /// The rule reads `manifests`: it runs once over every manifest of its
    /// schema, after all are loaded, instead of once per manifest.
    pub across: bool,
    /// Number of variable slots the rule binds.
    pub slots: usize,
    pub span: Span,
    pub id_span: Span,
}
