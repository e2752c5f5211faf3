//! The syntax tree of policy files, as written. Every node carries the span
//! it was parsed from; names are resolved later, by `check`. Nodes compare
//! by meaning: spans are equal whatever their place.

use crate::date::Date;
use crate::source::Span;

#[derive(Clone, Debug, PartialEq)]
pub struct Ident {
    pub name: String,
    pub span: Span,
}

#[derive(Debug, PartialEq)]
pub struct File {
    pub items: Vec<Item>,
    /// Names declared by declarations that did not parse (records, enums,
    /// schemas, constants): their syntax error is reported, and their uses
    /// elsewhere are not reported again as unknown.
    pub broken: Vec<String>,
}

#[derive(Debug, PartialEq)]
pub enum Item {
    Schema(RecordDecl),
    Record(RecordDecl),
    Enum(EnumDecl),
    Const(ConstDecl),
    Policy(PolicyDecl),
    Rule(Box<RuleDecl>),
}

/// `schema partnership/v1 { ... }` or `record Grant { ... }`.
#[derive(Debug, PartialEq)]
pub struct RecordDecl {
    pub doc: String,
    pub name: Ident,
    pub fields: Vec<FieldDecl>,
}

#[derive(Debug, PartialEq)]
pub struct FieldDecl {
    pub doc: String,
    pub name: Ident,
    pub ty: TypeExpr,
    pub constraints: Vec<(Constraint, Span)>,
}

/// What a field's values must satisfy beyond their type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Constraint {
    /// No two items of a list of this record share the value.
    Unique,
    /// A string with more than white space.
    NotBlank,
    /// An int at least this.
    AtLeast(i64),
    /// An int at most this.
    AtMost(i64),
}

#[derive(Debug, PartialEq)]
pub struct TypeExpr {
    pub kind: TypeExprKind,
    pub span: Span,
}

#[derive(Debug, PartialEq)]
pub enum TypeExprKind {
    Named(Ident),
    List(Box<TypeExpr>),
    Map(Box<TypeExpr>, Box<TypeExpr>),
    Optional(Box<TypeExpr>),
}

/// `enum Data { profile { name, picture }, ... }`: nested items make a
/// dotted taxonomy whose leaves are the values.
#[derive(Debug, PartialEq)]
pub struct EnumDecl {
    pub doc: String,
    pub name: Ident,
    pub items: Vec<EnumItem>,
}

#[derive(Debug, PartialEq)]
pub struct EnumItem {
    pub doc: String,
    pub name: Ident,
    pub children: Vec<EnumItem>,
}

/// `const EEA: [Country] = [AT, BE, ...]`
#[derive(Debug, PartialEq)]
pub struct ConstDecl {
    pub doc: String,
    pub name: Ident,
    pub ty: TypeExpr,
    pub value: Expr,
}

/// `policy ftc2012 for partnership/v1`: the rules after it in the same
/// file check manifests of that schema.
#[derive(Debug, PartialEq)]
pub struct PolicyDecl {
    pub doc: String,
    pub name: Ident,
    pub schema: Ident,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    Note,
    Warning,
    Error,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Note => "note",
        }
    }
}

#[derive(Debug, PartialEq)]
pub struct RuleDecl {
    pub doc: String,
    pub id: Ident,
    pub title: String,
    pub severity: Severity,
    /// What the rule demands: one or more requirements, each with its own
    /// bindings, message and help.
    pub requirements: Vec<Requirement>,
    pub span: Span,
}

/// `each ... where ... require ... at ... message ... help ...`
#[derive(Debug, PartialEq)]
pub struct Requirement {
    pub each: Vec<Each>,
    pub filter: Option<Expr>,
    pub require: Expr,
    /// `at grant.id`: where a failure points, instead of the value that
    /// made the requirement false (which is still labelled).
    pub at: Option<Expr>,
    pub message: Template,
    pub help: Option<Template>,
    pub span: Span,
}

/// `each grant in grants`, optionally followed by its own `where`.
#[derive(Debug, PartialEq)]
pub struct Each {
    pub var: Ident,
    pub collection: Expr,
    pub filter: Option<Expr>,
}

#[derive(Debug, PartialEq)]
pub struct Template {
    pub parts: Vec<TemplatePart>,
    pub span: Span,
}

#[derive(Debug, PartialEq)]
pub enum TemplatePart {
    Text(String),
    Hole(Expr),
}

#[derive(Debug, Clone, PartialEq)]
pub struct Expr {
    pub kind: ExprKind,
    pub span: Span,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BinOp {
    Or,
    And,
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    In,
    NotIn,
    HasAny,
    HasAll,
    HasNone,
    Matches,
    StartsWith,
    EndsWith,
    Contains,
    Add,
    Sub,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Quantifier {
    Any,
    All,
    No,
}

#[derive(Debug, Clone, PartialEq)]
pub enum ExprKind {
    /// `grant.consent.mechanism`, or an enum value such as
    /// `content.private_messages`; which one is decided by `check`.
    Path(Vec<Ident>),
    /// `special.*`: every value of a taxonomy branch.
    Branch(Vec<Ident>),
    Str(String),
    Int(i64),
    Bool(bool),
    Date(Date),
    Duration(crate::date::Days),
    Today,
    List(Vec<Expr>),
    Not(Box<Expr>),
    Binary(BinOp, Box<Expr>, Box<Expr>),
    /// `x is set` (`negated: false`) or `x is not set`.
    IsSet {
        expr: Box<Expr>,
        negated: bool,
    },
    /// `count(grants)`, `count(grant in grants: grant.retention is set)`:
    /// a function applied to a value, or to each item of a list.
    Call {
        func: Ident,
        each: Option<(Ident, Box<Expr>)>,
        arg: Box<Expr>,
    },
    /// `any agreement in agreements: agreement.purpose_restricted`
    Quantified {
        quantifier: Quantifier,
        var: Ident,
        collection: Box<Expr>,
        body: Box<Expr>,
    },
}
