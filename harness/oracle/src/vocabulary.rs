//! The small shared vocabularies the generator draws from: actions, resources, condition keys
//! with the values requests carry, and policy values for each operator family.
//!
//! Policies and requests draw from the same few words so that statements often apply to the
//! request and conditions often find their key: a random policy over a large vocabulary would
//! almost never match anything, and both evaluators would agree by saying nothing.
//!
//! Request values are what AWS itself could put into a request context: well-formed numbers,
//! ISO 8601 times and epoch seconds, addresses, ARNs. Policy values are what a person could
//! write, so they include values that are not numbers or dates at all, and forms that only a
//! lenient reader would take for one. Each list starts with its simplest word, which is where
//! shrinking goes.

/// The request actions. No service whose own authorization rules could deny on their own
/// (`kms`, `sts`, `iam`): their answers would not be the SCP layer's alone.
pub const ACTIONS: &[&str] = &[
    "ec2:CreateVolume",
    "ec2:RunInstances",
    "s3:PutObject",
    "s3:GetObject",
    "rds:CreateDBCluster",
    "sns:Publish",
];

/// Action patterns of statements: exact names, service wildcards, `*` and `?` inside names,
/// and names in another letter case.
pub const ACTION_PATTERNS: &[&str] = &[
    "*",
    "ec2:CreateVolume",
    "ec2:*",
    "ec2:Create*",
    "ec2:?unInstances",
    "EC2:createvolume",
    "ec2:*Volume*",
    "s3:*Object",
    "s3:Put*",
    "s3:GetObject",
    "rds:*",
    "rds:CreateDB*",
    "sns:Publish",
    "sns:Pub?ish",
    "dynamodb:*",
];

/// The request resources: `*`, as for an action without a resource type, and ARNs naming one
/// resource each. None holds a `*` inside an ARN: a request names one resource, and the oracle
/// would read such an ARN as a pattern standing for many.
pub const RESOURCES: &[&str] = &[
    "*",
    "arn:aws:ec2:eu-central-1:111122223333:volume/vol-1",
    "arn:aws:ec2:us-east-1:111122223333:instance/i-1",
    "arn:aws:s3:::bucket-a/home/blue/file",
    "arn:aws:s3:::bucket-b/home/?",
    "arn:aws:rds:eu-central-1:111122223333:cluster:db-1",
    "arn:aws:sns:eu-central-1:444455556666:topic-a",
];

/// Resource patterns of statements: ARNs with wildcards in every part, and policy variables.
pub const RESOURCE_PATTERNS: &[&str] = &[
    "*",
    "arn:aws:ec2:*:*:volume/*",
    "arn:aws:ec2:eu-central-1:111122223333:*",
    "arn:aws:s3:::bucket-?/*",
    "arn:aws:s3:::bucket-a/*",
    "arn:aws:s3:::bucket-a/home/${aws:PrincipalTag/team}/*",
    "arn:aws:s3:::*/home/${aws:PrincipalTag/missing, 'blue'}/*",
    "arn:aws:s3:::bucket-b/home/${?}",
    "arn:aws:rds:*:*:cluster:*",
    "arn:aws:*:*:111122223333:*",
    "arn:aws:sns:eu-central-1:444455556666:topic-?",
    "arn:aws:ec2:*:*:instance/${aws:ResourceTag/team}",
    "arn:aws:s3:::bucket-a/home/${aws:TagKeys}/*",
];

/// What kind of value a condition key holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum KeyKind {
    /// Text.
    Text,
    /// `true` or `false`.
    Bool,
    /// A decimal number.
    Number,
    /// A date and time.
    Date,
    /// An IP address.
    Ip,
    /// An ARN.
    Arn,
    /// Base64-encoded bytes.
    Binary,
    /// A set of text values: the multi-valued keys.
    List,
}

/// A condition key with the values a request may carry for it (for a list key, its elements).
#[derive(Debug, Clone, Copy)]
pub struct KeyDefinition {
    /// The key name as AWS documents it.
    pub name: &'static str,
    /// What it holds.
    pub kind: KeyKind,
    /// Request values.
    pub values: &'static [&'static str],
}

/// Every condition key the generator uses.
pub const KEYS: &[KeyDefinition] = &[
    KeyDefinition {
        name: "aws:PrincipalTag/team",
        kind: KeyKind::Text,
        values: &["blue", "red", "Blue"],
    },
    KeyDefinition {
        name: "aws:ResourceTag/team",
        kind: KeyKind::Text,
        values: &["blue", "red", "green", "Blue", "b*"],
    },
    KeyDefinition {
        name: "s3:prefix",
        kind: KeyKind::Text,
        values: &["home/", "home/blue/", "home/*", "other/x"],
    },
    KeyDefinition {
        name: "rds:DatabaseEngine",
        kind: KeyKind::Text,
        values: &["aurora-mysql", "mysql", "Aurora-MySQL"],
    },
    KeyDefinition {
        name: "ec2:Encrypted",
        kind: KeyKind::Bool,
        values: &["false", "true", "TRUE"],
    },
    KeyDefinition {
        name: "aws:SecureTransport",
        kind: KeyKind::Bool,
        values: &["true", "false"],
    },
    KeyDefinition {
        name: "ec2:VolumeSize",
        kind: KeyKind::Number,
        values: &["100", "99.5", "200", "-1", "0"],
    },
    KeyDefinition {
        name: "s3:max-keys",
        kind: KeyKind::Number,
        values: &["10", "1000", "10.0"],
    },
    KeyDefinition {
        name: "aws:CurrentTime",
        kind: KeyKind::Date,
        values: &[
            "2020-01-01T00:00:00Z",
            "2019-12-31T23:59:59Z",
            "2020-01-01",
            "2020-06-15T12:30:00.5Z",
            "2020-01-01T01:00:00+01:00",
            "1577836800",
        ],
    },
    KeyDefinition {
        name: "aws:EpochTime",
        kind: KeyKind::Date,
        values: &["1577836800", "1577836799", "1600000000"],
    },
    KeyDefinition {
        name: "aws:SourceIp",
        kind: KeyKind::Ip,
        values: &["203.0.113.9", "198.51.100.1", "2001:db8::1"],
    },
    KeyDefinition {
        name: "aws:SourceArn",
        kind: KeyKind::Arn,
        values: &[
            "arn:aws:sns:eu-central-1:111122223333:topic-a",
            "arn:aws:s3:::bucket-a",
            "arn:aws:sns:eu-central-1:444455556666:t",
        ],
    },
    KeyDefinition {
        name: "aws:PrincipalArn",
        kind: KeyKind::Arn,
        values: &[
            "arn:aws:iam::111122223333:role/Member",
            "arn:aws:iam::111122223333:role/admin/Ops",
        ],
    },
    KeyDefinition {
        name: "s3:x-amz-digest",
        kind: KeyKind::Binary,
        values: &["aGVsbG8=", "aGVsbG8", "aGVsbA==", "hello"],
    },
    KeyDefinition {
        name: "aws:TagKeys",
        kind: KeyKind::List,
        values: &["team", "cost", "Team", "env"],
    },
    KeyDefinition {
        name: "aws:CalledVia",
        kind: KeyKind::List,
        values: &["athena.amazonaws.com", "cloudformation.amazonaws.com"],
    },
];

/// The condition operator families; each is generated equally often.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Family {
    /// `String...`.
    String,
    /// `Numeric...`.
    Numeric,
    /// `Date...`.
    Date,
    /// `Bool`.
    Bool,
    /// `BinaryEquals`.
    Binary,
    /// `IpAddress`, `NotIpAddress`.
    Ip,
    /// `Arn...`.
    Arn,
    /// `Null`.
    Null,
}

impl Family {
    /// Every family.
    pub const ALL: [Family; 8] = [
        Family::String,
        Family::Numeric,
        Family::Date,
        Family::Bool,
        Family::Binary,
        Family::Ip,
        Family::Arn,
        Family::Null,
    ];

    /// The family's name in reports.
    pub fn name(self) -> &'static str {
        match self {
            Family::String => "String",
            Family::Numeric => "Numeric",
            Family::Date => "Date",
            Family::Bool => "Bool",
            Family::Binary => "BinaryEquals",
            Family::Ip => "IpAddress",
            Family::Arn => "Arn",
            Family::Null => "Null",
        }
    }

    /// The base operators of the family.
    pub fn operators(self) -> &'static [&'static str] {
        match self {
            Family::String => &[
                "StringEquals",
                "StringNotEquals",
                "StringEqualsIgnoreCase",
                "StringNotEqualsIgnoreCase",
                "StringLike",
                "StringNotLike",
            ],
            Family::Numeric => &[
                "NumericEquals",
                "NumericNotEquals",
                "NumericLessThan",
                "NumericLessThanEquals",
                "NumericGreaterThan",
                "NumericGreaterThanEquals",
            ],
            Family::Date => &[
                "DateEquals",
                "DateNotEquals",
                "DateLessThan",
                "DateLessThanEquals",
                "DateGreaterThan",
                "DateGreaterThanEquals",
            ],
            Family::Bool => &["Bool"],
            Family::Binary => &["BinaryEquals"],
            Family::Ip => &["IpAddress", "NotIpAddress"],
            Family::Arn => &["ArnEquals", "ArnLike", "ArnNotEquals", "ArnNotLike"],
            Family::Null => &["Null"],
        }
    }

    /// Whether the family's operators are only ever put on keys of their own kinds: a date
    /// operator on a key holding other text would meet the oracle's lenient date parser.
    pub fn keeps_to_its_keys(self) -> bool {
        self == Family::Date
    }

    /// The key kinds the family's operators are meant for.
    pub fn key_kinds(self) -> &'static [KeyKind] {
        match self {
            Family::String => &[KeyKind::Text, KeyKind::List],
            Family::Numeric => &[KeyKind::Number],
            Family::Date => &[KeyKind::Date],
            Family::Bool => &[KeyKind::Bool],
            Family::Binary => &[KeyKind::Binary],
            Family::Ip => &[KeyKind::Ip],
            Family::Arn => &[KeyKind::Arn],
            Family::Null => &[
                KeyKind::Text,
                KeyKind::Bool,
                KeyKind::Number,
                KeyKind::Date,
                KeyKind::Ip,
                KeyKind::Arn,
                KeyKind::Binary,
                KeyKind::List,
            ],
        }
    }

    /// Policy values a person could write for the family's operators.
    pub fn policy_values(self) -> &'static [&'static str] {
        match self {
            Family::String => &[
                "blue",
                "Blue",
                "red",
                "b*",
                "?lue",
                "*",
                "team",
                "home/*",
                "aurora-*",
                "${aws:PrincipalTag/team}",
                "home/${aws:PrincipalTag/team}/*",
                "${aws:PrincipalTag/missing, 'blue'}",
                "${aws:principaltag/TEAM}",
                "${aws:TagKeys}",
                "home/${*}",
            ],
            Family::Numeric => &[
                "100", "99.5", "200", "-1", "0", "10", "5abc", "1e3", "+1", ".5", "1.", "ten",
            ],
            Family::Date => &[
                "2020-01-01T00:00:00Z",
                "2020-01-01",
                "2019-12-31T23:59:59Z",
                "2020-01-01T01:00:00+01:00",
                "2020-01-01T00:00:00",
                "2020-06-15T12:30:00.5Z",
                "1577836800",
                "1600000000",
                "tomorrow",
            ],
            Family::Bool => &["true", "false", "TRUE", "yes"],
            Family::Binary => &["aGVsbG8=", "aGVsbG8", "hello", "aGVsbA=="],
            Family::Ip => &[
                "203.0.113.0/24",
                "198.51.100.1",
                "2001:DB8::/32",
                "0.0.0.0/0",
                "198.51.100.1/32",
                "10.0.0.0/33",
            ],
            // Limitation: no ARN operator value is anything but an ARN (`*` alone, say): AWS does
            // not document how such a value compares, and the oracle never matches it, so the
            // evaluator's reading of it (a plain wildcard pattern) is not compared.
            Family::Arn => &[
                "arn:aws:sns:*:111122223333:*",
                "arn:aws:s3:::bucket-?",
                "arn:aws:sns:eu-central-1:111122223333:topic-a",
                "arn:aws:*:*:*:*",
                "arn:aws:iam::111122223333:role/${aws:PrincipalTag/team}",
                "arn:aws:iam::*:role/*/Ops",
            ],
            Family::Null => &["true", "false"],
        }
    }

    /// The family of a base operator name, if it is one of the generated ones.
    pub fn of(base_operator: &str) -> Option<Family> {
        Family::ALL
            .into_iter()
            .find(|family| family.operators().contains(&base_operator))
    }
}

/// The definition of a key, looked up ignoring letter case.
pub fn key(name: &str) -> Option<&'static KeyDefinition> {
    KEYS.iter()
        .find(|definition| definition.name.eq_ignore_ascii_case(name))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_family_has_keys_of_its_kind() {
        for family in Family::ALL {
            let suitable = KEYS
                .iter()
                .filter(|key| family.key_kinds().contains(&key.kind))
                .count();
            assert!(suitable > 0, "{family:?}");
            assert!(!family.policy_values().is_empty());
            for operator in family.operators() {
                assert_eq!(Family::of(operator), Some(family));
            }
        }
    }
}
