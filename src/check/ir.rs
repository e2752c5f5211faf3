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

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cmp {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Has {
    Any,
    All,
    None,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Arith {
    Add,
    Sub,
}

#[derive(Debug)]
pub enum Kind {
    /// The manifest itself.
    Root,
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
    pub each: Vec<Each>,
    pub filter: Option<Expr>,
    pub require: Expr,
    /// Where a failure points, when the rule says.
    pub at: Option<Expr>,
    pub message: Vec<Part>,
    pub help: Option<Vec<Part>>,
    /// Number of variable slots the rule binds.
    pub slots: usize,
    pub span: Span,
    pub id_span: Span,
}
