//! `partnership/v1` manifests decoded from raw bytes with `arbitrary`, and
//! written out as YAML.
//!
//! Random bytes seldom make a manifest that validates, so the evaluator
//! would hardly ever run. Here the bytes choose among the schema's real
//! field values, most of the time, and ids come from a tiny pool so that
//! grants name existing features, waivers name existing grants, and ids
//! collide. Now and then a value is anything at all, a field is missing or
//! an unknown one appears, to reach validation too.

use arbitrary::{Arbitrary, Result, Unstructured};

/// The YAML text of the manifest `data` decodes to, if it decodes.
pub fn from_bytes(data: &[u8]) -> Option<String> {
    let manifest = Manifest::arbitrary_take_rest(Unstructured::new(data)).ok()?;
    Some(manifest.to_yaml())
}

const SCHEMAS: &[&str] = &["partnership/v1", "partnership/v2", "partnership", ""];
const IDS: &[&str] = &["a", "b", "c"];
const TEXTS: &[&str] = &["", "x", "Example Corp", "graph/me/events", "messaging"];
const PURPOSES: &[&str] = &["calendar", "messaging", "ads", ""];
const PARTNER_KINDS: &[&str] = &[
    "integration_partner",
    "device_maker",
    "app_developer",
    "search_engine",
    "bank",
    "media",
    "retailer",
    "service_provider",
];
const ROLES: &[&str] = &[
    "processor",
    "service_provider",
    "controller",
    "joint_controller",
    "third_party",
];
const AGREEMENT_TYPES: &[&str] = &[
    "platform_terms",
    "data_sharing",
    "dpa",
    "joint_controller_arrangement",
    "service_provider_contract",
    "sccs",
];
/// The taxonomy's leaves.
const DATA: &[&str] = &[
    "profile.name",
    "profile.picture",
    "profile.birthday",
    "profile.gender",
    "profile.user_id",
    "profile.relationship_status",
    "contact.email",
    "contact.phone",
    "contact.address",
    "social.friend_list",
    "social.friends_posts",
    "social.likes",
    "content.posts",
    "content.photos",
    "content.private_messages",
    "content.message_participants",
    "device.contacts",
    "device.calendar",
    "location.precise",
    "location.coarse",
    "special.religion",
    "special.politics",
    "special.health",
    "special.sexual_orientation",
];
/// A branch, a pattern and a path below a leaf: not values of `Data`.
const ODD_DATA: &[&str] = &["profile", "special.*", "profile.name.first"];
const SUBJECTS: &[&str] = &["user", "friends", "friends_of_friends", "non_users"];
const OPERATIONS: &[&str] = &["read", "write", "delete", "list", "export"];
const LAWFUL_BASES: &[&str] = &[
    "consent",
    "contract",
    "legal_obligation",
    "vital_interests",
    "public_task",
    "legitimate_interests",
];
const CONSENT_MECHANISMS: &[&str] = &[
    "none",
    "opt_out",
    "platform_login",
    "per_feature_opt_in",
    "per_scope_opt_in",
];
const STORAGES: &[&str] = &["on_device", "partner_servers", "platform_only"];
const TRANSFER_MECHANISMS: &[&str] = &["adequacy", "sccs", "bcrs", "derogation", "none"];
/// A few countries in and out of the EU, and `NO`, which YAML 1.1 reads
/// as false.
const COUNTRIES: &[&str] = &["US", "SE", "DE", "IE", "GB", "CN", "RU", "IN", "NO", "CA"];
const RULES: &[&str] = &[
    "ftc2012/messages-consent",
    "ftc2012/subject-consent",
    "ftc2012/privacy-settings",
    "ftc2012/access-indicators",
    "ftc2012/account-deletion",
    "ftc2012/service-provider",
    "ftc2019/certification",
    "ftc2019/privacy-review",
    "ftc2019/justified-need",
    "gdpr/lawful-basis",
    "gdpr/special-category",
    "gdpr/retention",
    "gdpr/retention-limit",
    "gdpr/transfers",
    "gdpr/dpia",
    "lifecycle/feature-exists",
    "lifecycle/revoke-on-retirement",
    "lifecycle/access-after-revocation",
    "lifecycle/agreement-current",
    "gdpr/no-such-rule",
];
const EXTRA_KEYS: &[&str] = &["notes", "id", "lawfull_basis", "schema", "<<"];
const ODD_DATES: &[&str] = &[
    "2019-02-29",
    "2020-02-29",
    "2019-13-01",
    "2019-1-1",
    "0000-01-01",
    "9999-12-31",
    "2019-01-01T00:00:00Z",
    "\"2019-01-01\"",
    "20190101",
    "~",
];
const ODD_DURATIONS: &[&str] = &[
    "0d",
    "d",
    "-1d",
    "1y",
    "1.5d",
    "30 d",
    "99999999999999999999d",
    "9999999999999999w",
    "30",
    "~",
];
const ODD_COUNTS: &[&str] = &[
    "99999999999999999999",
    "-1",
    "1e6",
    "0x10",
    "\"5\"",
    "1_000",
    "~",
];
const ODD_FLAGS: &[&str] = &["yes", "True", "\"true\"", "1", "~", "[]"];

/// The element at `n`, wrapping around.
fn pick(list: &[&'static str], n: usize) -> &'static str {
    list.get(n % list.len().max(1)).copied().unwrap_or("")
}

/// A value from a known list, or once in a while an odd one or any
/// string at all.
#[derive(Debug)]
pub enum Word {
    Known(u8),
    Other(String),
}

impl<'a> Arbitrary<'a> for Word {
    fn arbitrary(u: &mut Unstructured<'a>) -> Result<Self> {
        let n = u8::arbitrary(u)?;
        if n < 254 {
            Ok(Word::Known(n))
        } else {
            Ok(Word::Other(String::arbitrary(u)?))
        }
    }
}

impl Word {
    fn yaml(&self, list: &[&'static str]) -> String {
        self.yaml_or(list, &[])
    }

    /// YAML for the value: a known one plain, as people write them, any
    /// other quoted. An empty one is quoted too, as plain it is null.
    fn yaml_or(&self, list: &[&'static str], odd: &[&'static str]) -> String {
        let known = match self {
            Word::Known(n) if *n >= 250 && !odd.is_empty() => pick(odd, usize::from(*n)),
            Word::Known(n) => pick(list, usize::from(*n)),
            Word::Other(s) => return quote(s),
        };
        match known {
            "" => quote(""),
            known => known.to_string(),
        }
    }
}

/// A date in 2010–2020, or once in a while an odd one.
#[derive(Debug, Arbitrary)]
pub struct Day(u16);

impl Day {
    fn yaml(&self) -> String {
        let n = usize::from(self.0);
        if n % 128 == 127 {
            return pick(ODD_DATES, n / 128).to_string();
        }
        let year = 2010 + (n / 336) % 11;
        let month = 1 + (n / 28) % 12;
        let day = 1 + n % 28;
        format!("{year:04}-{month:02}-{day:02}")
    }
}

/// `Nd` or `Nw`, or once in a while an odd duration.
#[derive(Debug, Arbitrary)]
pub struct Dur(u16);

impl Dur {
    fn yaml(&self) -> String {
        let n = usize::from(self.0);
        match n % 64 {
            63 => pick(ODD_DURATIONS, n / 64).to_string(),
            k if k < 40 => format!("{}d", (n / 64) % 1000),
            _ => format!("{}w", (n / 64) % 150),
        }
    }
}

/// A count of users, or once in a while something that is not one.
#[derive(Debug, Arbitrary)]
pub struct Count(u8, u32);

impl Count {
    fn yaml(&self) -> String {
        if self.0 >= 248 {
            pick(ODD_COUNTS, usize::from(self.0)).to_string()
        } else {
            self.1.to_string()
        }
    }
}

/// A boolean, or once in a while something that is not one.
#[derive(Debug, Arbitrary)]
pub struct Flag(u8);

impl Flag {
    fn yaml(&self) -> String {
        if self.0 >= 253 {
            pick(ODD_FLAGS, usize::from(self.0)).to_string()
        } else {
            (self.0 & 1 == 0).to_string()
        }
    }
}

/// Present one time in sixteen.
#[derive(Debug)]
pub struct Rare<T>(Option<T>);

impl<'a, T: Arbitrary<'a>> Arbitrary<'a> for Rare<T> {
    fn arbitrary(u: &mut Unstructured<'a>) -> Result<Self> {
        if u8::arbitrary(u)? % 16 == 15 {
            Ok(Rare(Some(T::arbitrary(u)?)))
        } else {
            Ok(Rare(None))
        }
    }
}

/// A field the schema may not have.
#[derive(Debug, Arbitrary)]
pub struct Extra {
    key: Word,
    value: Word,
}

#[derive(Debug, Arbitrary)]
pub struct Manifest {
    /// Replaces `partnership/v1`.
    schema: Rare<Word>,
    /// Leaves out one top-level field.
    drop: Rare<u8>,
    partner: Partner,
    role: Word,
    own_purpose_use: Flag,
    agreements: Vec<Agreement>,
    features: Vec<Feature>,
    grants: Vec<Grant>,
    transfers: Option<Vec<Transfer>>,
    governance: Governance,
    waivers: Option<Vec<Waiver>>,
}

#[derive(Debug, Arbitrary)]
pub struct Partner {
    id: Word,
    name: Word,
    kind: Word,
    country: Word,
    owner: Option<Word>,
    extra: Rare<Extra>,
}

#[derive(Debug, Arbitrary)]
pub struct Agreement {
    id: Word,
    kind: Word,
    signed: Day,
    expires: Option<Day>,
    purpose_restricted: Flag,
    onward_transfer_prohibited: Flag,
}

#[derive(Debug, Arbitrary)]
pub struct Feature {
    id: Word,
    description: Word,
    purposes: Vec<Word>,
    launched: Day,
    retired: Option<Day>,
}

#[derive(Debug, Arbitrary)]
pub struct Grant {
    id: Word,
    feature: Word,
    api: Word,
    data: Vec<Word>,
    subjects: Vec<Word>,
    operations: Vec<Word>,
    necessity: Vec<(Word, Word)>,
    lawful_basis: Word,
    consent: Consent,
    honors_privacy_settings: Flag,
    hides_access_indicators: Flag,
    storage: Word,
    retention: Option<Dur>,
    deletion_propagation: Option<Dur>,
    monthly_users: Option<Count>,
    granted: Day,
    revoked: Option<Day>,
    last_access: Option<Day>,
    extra: Rare<Extra>,
}

#[derive(Debug, Arbitrary)]
pub struct Consent {
    mechanism: Word,
    covers: Vec<Word>,
    recorded: Flag,
    withdrawable: Flag,
}

#[derive(Debug, Arbitrary)]
pub struct Transfer {
    country: Word,
    mechanism: Word,
}

#[derive(Debug, Arbitrary)]
pub struct Governance {
    privacy_review: Option<Day>,
    dpia: Option<Day>,
    last_certification: Option<Day>,
    access_logs: Flag,
}

#[derive(Debug, Arbitrary)]
pub struct Waiver {
    rule: Word,
    grant: Option<Word>,
    reason: Word,
    approved_by: Word,
    expires: Day,
}

/// A YAML value, before it is written.
enum Node {
    /// Already YAML: plain or quoted.
    Scalar(String),
    List(Vec<Node>),
    Map(Vec<(String, Node)>),
}

fn scalar(s: String) -> Node {
    Node::Scalar(s)
}

fn words(items: &[Word], list: &[&'static str], odd: &[&'static str]) -> Node {
    Node::List(items.iter().map(|w| scalar(w.yaml_or(list, odd))).collect())
}

fn map(entries: Vec<(&str, Node)>) -> Node {
    Node::Map(owned(entries))
}

/// Appends `extra`'s field, if any, to a map's entries.
fn with_extra(mut entries: Vec<(String, Node)>, extra: &Rare<Extra>) -> Node {
    if let Rare(Some(e)) = extra {
        entries.push((e.key.yaml(EXTRA_KEYS), scalar(e.value.yaml(TEXTS))));
    }
    Node::Map(entries)
}

fn optional<T>(
    entries: &mut Vec<(&str, Node)>,
    key: &'static str,
    value: &Option<T>,
    f: impl Fn(&T) -> String,
) {
    if let Some(v) = value {
        entries.push((key, scalar(f(v))));
    }
}

impl Manifest {
    pub fn to_yaml(&self) -> String {
        let schema = match &self.schema {
            Rare(Some(w)) => w.yaml(SCHEMAS),
            Rare(None) => "partnership/v1".to_string(),
        };
        let mut entries = vec![
            ("schema", scalar(schema)),
            ("partner", self.partner.node()),
            ("role", scalar(self.role.yaml(ROLES))),
            ("own_purpose_use", scalar(self.own_purpose_use.yaml())),
            (
                "agreements",
                Node::List(self.agreements.iter().map(Agreement::node).collect()),
            ),
            (
                "features",
                Node::List(self.features.iter().map(Feature::node).collect()),
            ),
            (
                "grants",
                Node::List(self.grants.iter().map(Grant::node).collect()),
            ),
        ];
        if let Some(transfers) = &self.transfers {
            entries.push((
                "transfers",
                Node::List(transfers.iter().map(Transfer::node).collect()),
            ));
        }
        entries.push(("governance", self.governance.node()));
        if let Some(waivers) = &self.waivers {
            entries.push((
                "waivers",
                Node::List(waivers.iter().map(Waiver::node).collect()),
            ));
        }
        if let Rare(Some(n)) = self.drop {
            let i = usize::from(n) % entries.len();
            entries.remove(i);
        }
        let mut out = String::new();
        if let Node::Map(entries) = map(entries) {
            write_map(&mut out, &entries, 0);
        }
        out
    }
}

impl Partner {
    fn node(&self) -> Node {
        let mut entries = vec![
            ("id", scalar(self.id.yaml(IDS))),
            ("name", scalar(self.name.yaml(TEXTS))),
            ("kind", scalar(self.kind.yaml(PARTNER_KINDS))),
            ("country", scalar(self.country.yaml(COUNTRIES))),
        ];
        optional(&mut entries, "owner", &self.owner, |w| w.yaml(TEXTS));
        with_extra(owned(entries), &self.extra)
    }
}

impl Agreement {
    fn node(&self) -> Node {
        let mut entries = vec![
            ("id", scalar(self.id.yaml(IDS))),
            ("type", scalar(self.kind.yaml(AGREEMENT_TYPES))),
            ("signed", scalar(self.signed.yaml())),
        ];
        optional(&mut entries, "expires", &self.expires, Day::yaml);
        entries.push(("purpose_restricted", scalar(self.purpose_restricted.yaml())));
        entries.push((
            "onward_transfer_prohibited",
            scalar(self.onward_transfer_prohibited.yaml()),
        ));
        map(entries)
    }
}

impl Feature {
    fn node(&self) -> Node {
        let mut entries = vec![
            ("id", scalar(self.id.yaml(IDS))),
            ("description", scalar(self.description.yaml(TEXTS))),
            ("purposes", words(&self.purposes, PURPOSES, &[])),
            ("launched", scalar(self.launched.yaml())),
        ];
        optional(&mut entries, "retired", &self.retired, Day::yaml);
        map(entries)
    }
}

impl Grant {
    fn node(&self) -> Node {
        // A key written twice makes the whole file invalid; the first one
        // is kept, so that most maps stay valid.
        let mut necessity: Vec<(String, Node)> = Vec::new();
        for (op, why) in &self.necessity {
            let key = op.yaml(OPERATIONS);
            if necessity.iter().all(|(k, _)| *k != key) {
                necessity.push((key, scalar(why.yaml(TEXTS))));
            }
        }
        let mut entries = vec![
            ("id", scalar(self.id.yaml(IDS))),
            ("feature", scalar(self.feature.yaml(IDS))),
            ("api", scalar(self.api.yaml(TEXTS))),
            ("data", words(&self.data, DATA, ODD_DATA)),
            ("subjects", words(&self.subjects, SUBJECTS, &[])),
            ("operations", words(&self.operations, OPERATIONS, &[])),
            ("necessity", Node::Map(necessity)),
            ("lawful_basis", scalar(self.lawful_basis.yaml(LAWFUL_BASES))),
            ("consent", self.consent.node()),
            (
                "honors_privacy_settings",
                scalar(self.honors_privacy_settings.yaml()),
            ),
            (
                "hides_access_indicators",
                scalar(self.hides_access_indicators.yaml()),
            ),
            ("storage", scalar(self.storage.yaml(STORAGES))),
        ];
        optional(&mut entries, "retention", &self.retention, Dur::yaml);
        optional(
            &mut entries,
            "deletion_propagation",
            &self.deletion_propagation,
            Dur::yaml,
        );
        optional(
            &mut entries,
            "monthly_users",
            &self.monthly_users,
            Count::yaml,
        );
        entries.push(("granted", scalar(self.granted.yaml())));
        optional(&mut entries, "revoked", &self.revoked, Day::yaml);
        optional(&mut entries, "last_access", &self.last_access, Day::yaml);
        with_extra(owned(entries), &self.extra)
    }
}

impl Consent {
    fn node(&self) -> Node {
        map(vec![
            ("mechanism", scalar(self.mechanism.yaml(CONSENT_MECHANISMS))),
            ("covers", words(&self.covers, SUBJECTS, &[])),
            ("recorded", scalar(self.recorded.yaml())),
            ("withdrawable", scalar(self.withdrawable.yaml())),
        ])
    }
}

impl Transfer {
    fn node(&self) -> Node {
        map(vec![
            ("country", scalar(self.country.yaml(COUNTRIES))),
            (
                "mechanism",
                scalar(self.mechanism.yaml(TRANSFER_MECHANISMS)),
            ),
        ])
    }
}

impl Governance {
    fn node(&self) -> Node {
        let mut entries = Vec::new();
        optional(
            &mut entries,
            "privacy_review",
            &self.privacy_review,
            Day::yaml,
        );
        optional(&mut entries, "dpia", &self.dpia, Day::yaml);
        optional(
            &mut entries,
            "last_certification",
            &self.last_certification,
            Day::yaml,
        );
        entries.push(("access_logs", scalar(self.access_logs.yaml())));
        map(entries)
    }
}

impl Waiver {
    fn node(&self) -> Node {
        let mut entries = vec![("rule", scalar(self.rule.yaml(RULES)))];
        optional(&mut entries, "grant", &self.grant, |w| w.yaml(IDS));
        entries.push(("reason", scalar(self.reason.yaml(TEXTS))));
        entries.push(("approved_by", scalar(self.approved_by.yaml(TEXTS))));
        entries.push(("expires", scalar(self.expires.yaml())));
        map(entries)
    }
}

fn owned(entries: Vec<(&str, Node)>) -> Vec<(String, Node)> {
    entries
        .into_iter()
        .map(|(k, v)| (k.to_string(), v))
        .collect()
}

/// Writes a block mapping at `indent` spaces.
fn write_map(out: &mut String, entries: &[(String, Node)], indent: usize) {
    let pad = " ".repeat(indent);
    for (key, value) in entries {
        match value {
            Node::Scalar(s) => out.push_str(&format!("{pad}{key}: {s}\n")),
            Node::Map(m) if m.is_empty() => out.push_str(&format!("{pad}{key}: {{}}\n")),
            Node::Map(m) => {
                out.push_str(&format!("{pad}{key}:\n"));
                write_map(out, m, indent + 2);
            }
            Node::List(items) if items.iter().all(|i| matches!(i, Node::Scalar(_))) => {
                // Flow style, as the examples write lists of values.
                let values: Vec<&str> = items
                    .iter()
                    .filter_map(|i| match i {
                        Node::Scalar(s) => Some(s.as_str()),
                        _ => None,
                    })
                    .collect();
                out.push_str(&format!("{pad}{key}: [{}]\n", values.join(", ")));
            }
            Node::List(items) => {
                out.push_str(&format!("{pad}{key}:\n"));
                write_list(out, items, indent + 2);
            }
        }
    }
}

/// Writes a list's items as a block sequence.
fn write_list(out: &mut String, items: &[Node], indent: usize) {
    let pad = " ".repeat(indent);
    for item in items {
        match item {
            Node::Scalar(s) => out.push_str(&format!("{pad}- {s}\n")),
            Node::Map(m) if m.is_empty() => out.push_str(&format!("{pad}- {{}}\n")),
            Node::Map(m) => {
                // The map's first line starts after the dash.
                let mut body = String::new();
                write_map(&mut body, m, indent + 2);
                out.push_str(&pad);
                out.push_str("- ");
                out.push_str(body.get(indent + 2..).unwrap_or(""));
            }
            Node::List(l) if l.is_empty() => out.push_str(&format!("{pad}- []\n")),
            Node::List(l) => {
                out.push_str(&format!("{pad}-\n"));
                write_list(out, l, indent + 2);
            }
        }
    }
}

/// A double-quoted YAML scalar. JSON's string syntax is a subset of YAML's
/// double-quoted one, but JSON leaves characters raw that a YAML stream may
/// not hold (DEL, C1 controls, U+FFFE/U+FFFF) or that YAML 1.1 reads as
/// line breaks (U+2028/U+2029); those are escaped too.
fn quote(s: &str) -> String {
    let json = serde_json::to_string(s).unwrap_or_else(|_| "\"\"".to_string());
    let mut out = String::with_capacity(json.len());
    for c in json.chars() {
        if matches!(
            c,
            '\u{7f}'..='\u{9f}' | '\u{2028}' | '\u{2029}' | '\u{feff}' | '\u{fffe}' | '\u{ffff}'
        ) {
            out.push_str(&format!("\\u{:04x}", u32::from(c)));
        } else {
            out.push(c);
        }
    }
    out
}
