//! The values the generator draws from: the enums of `partnership/v1`
//! (policies/partnership.proviso), some of the country codes, the
//! catalogue's rule ids, and words for names and descriptions.

pub const PARTNER_KINDS: &[&str] = &[
    "integration_partner",
    "device_maker",
    "app_developer",
    "search_engine",
    "bank",
    "media",
    "retailer",
    "service_provider",
];
pub const ROLES: &[&str] = &[
    "processor",
    "service_provider",
    "controller",
    "joint_controller",
    "third_party",
];
pub const AGREEMENT_TYPES: &[&str] = &[
    "platform_terms",
    "data_sharing",
    "dpa",
    "joint_controller_arrangement",
    "service_provider_contract",
    "sccs",
];
pub const DATA: &[&str] = &[
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
pub const SUBJECTS: &[&str] = &["user", "friends", "friends_of_friends", "non_users"];
pub const OPERATIONS: &[&str] = &["read", "write", "delete", "list", "export"];
pub const LAWFUL_BASES: &[&str] = &[
    "consent",
    "contract",
    "legal_obligation",
    "vital_interests",
    "public_task",
    "legitimate_interests",
];
pub const MECHANISMS: &[&str] = &[
    "none",
    "opt_out",
    "platform_login",
    "per_feature_opt_in",
    "per_scope_opt_in",
];
pub const STORAGE: &[&str] = &["on_device", "partner_servers", "platform_only"];
pub const TRANSFER_MECHANISMS: &[&str] = &["adequacy", "sccs", "bcrs", "derogation", "none"];
pub const EEA: &[&str] = &[
    "AT", "BE", "BG", "HR", "CY", "CZ", "DK", "EE", "FI", "FR", "DE", "GR", "HU", "IE", "IT", "LV",
    "LT", "LU", "MT", "NL", "PL", "PT", "RO", "SK", "SI", "ES", "SE", "IS", "LI", "NO",
];
pub const ELSEWHERE: &[&str] = &[
    "US", "CA", "GB", "CH", "JP", "KR", "CN", "IN", "BR", "AU", "RU", "SG", "IL", "ZA", "MX", "AR",
    "TR", "AE", "NZ", "HK",
];
/// The shipped catalogue's rule ids, for waivers.
pub const RULES: &[&str] = &[
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
];
pub const WORDS: &[&str] = &[
    "aurora", "birch", "cobalt", "delta", "ember", "fjord", "garnet", "harbor", "iris", "juniper",
    "kestrel", "lumen", "maple", "nimbus", "onyx", "prairie", "quartz", "raven", "sierra",
    "tundra", "umber", "vale", "willow", "xenon", "yarrow", "zephyr",
];
pub const PURPOSES: &[&str] = &[
    "messaging",
    "personalization",
    "payments",
    "search",
    "contacts_sync",
    "recommendations",
    "analytics",
];
