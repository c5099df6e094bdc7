//! The principals of cases over every policy type: the accounts, the values that the
//! `Principal` and `NotPrincipal` elements of resource-based policies name callers by, and the
//! element as generated.
//!
//! Callers and principal values share one small world, so that elements often name the caller,
//! its role or its account: a role `Reader` without path and a role `Ops` under the path
//! `/admin/`, a few sessions and users, and each account's root user, in the member account
//! and in another account.

use scpcheck_policy::PrincipalType;
use serde_json::{Map, Value, json};

use crate::case::{MANAGEMENT_ACCOUNT, MEMBER_ACCOUNT};

/// The account outside the organization's member account that callers and resources may
/// belong to.
pub const OTHER_ACCOUNT: &str = "444455556666";

/// An account a caller or a resource belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Account {
    /// The member account of the organization, `111122223333`.
    Member,
    /// Another account, `444455556666`.
    Other,
}

impl Account {
    /// Both accounts.
    pub const ALL: [Account; 2] = [Account::Member, Account::Other];

    /// The account id.
    pub fn id(self) -> &'static str {
        match self {
            Account::Member => MEMBER_ACCOUNT,
            Account::Other => OTHER_ACCOUNT,
        }
    }

    /// The account's root user ARN, which names the account in a principal element.
    pub fn root_arn(self) -> &'static str {
        match self {
            Account::Member => "arn:aws:iam::111122223333:root",
            Account::Other => "arn:aws:iam::444455556666:root",
        }
    }
}

/// Who makes the request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Principal {
    /// The role `Member` of the member account, acting as itself.
    Member,
    /// A service-linked role in the member account.
    ServiceLinkedRole,
    /// A role in the management account.
    Management,
    /// A session of the role `Reader` (no path): `alice` in the member account, `carol` in the
    /// other.
    ReaderSession(Account),
    /// The session `bob` of the role `Ops` of the member account, whose path is `/admin/`.
    OpsSession,
    /// An IAM user: `alice` in the member account, `dave` in the other.
    User(Account),
    /// The account's root user.
    Root(Account),
    /// A user that no generated policy names: it stands in for the root user when an
    /// emulation needs a caller that is not the root user but is named by the same values.
    UnnamedUser(Account),
}

impl Principal {
    /// The principal's ARN.
    pub fn arn(self) -> &'static str {
        match self {
            Principal::Member => "arn:aws:iam::111122223333:role/Member",
            Principal::ServiceLinkedRole => {
                "arn:aws:iam::111122223333:role/aws-service-role/ec2.amazonaws.com/\
                 AWSServiceRoleForEC2"
            }
            Principal::Management => "arn:aws:iam::999999999999:role/Admin",
            Principal::ReaderSession(Account::Member) => {
                "arn:aws:sts::111122223333:assumed-role/Reader/alice"
            }
            Principal::ReaderSession(Account::Other) => {
                "arn:aws:sts::444455556666:assumed-role/Reader/carol"
            }
            Principal::OpsSession => "arn:aws:sts::111122223333:assumed-role/Ops/bob",
            Principal::User(Account::Member) => "arn:aws:iam::111122223333:user/alice",
            Principal::User(Account::Other) => "arn:aws:iam::444455556666:user/dave",
            Principal::Root(account) => account.root_arn(),
            Principal::UnnamedUser(Account::Member) => "arn:aws:iam::111122223333:user/unnamed",
            Principal::UnnamedUser(Account::Other) => "arn:aws:iam::444455556666:user/unnamed",
        }
    }

    /// The principal's account id.
    pub fn account(self) -> &'static str {
        match self.account_kind() {
            Some(account) => account.id(),
            None => MANAGEMENT_ACCOUNT,
        }
    }

    /// The principal's account, unless it is the management account.
    pub fn account_kind(self) -> Option<Account> {
        match self {
            Principal::Member | Principal::ServiceLinkedRole | Principal::OpsSession => {
                Some(Account::Member)
            }
            Principal::Management => None,
            Principal::ReaderSession(account)
            | Principal::User(account)
            | Principal::Root(account)
            | Principal::UnnamedUser(account) => Some(account),
        }
    }

    /// The ARN of the role a session belongs to; `None` for any other caller.
    pub fn role_arn(self) -> Option<&'static str> {
        match self {
            Principal::ReaderSession(Account::Member) => {
                Some("arn:aws:iam::111122223333:role/Reader")
            }
            Principal::ReaderSession(Account::Other) => {
                Some("arn:aws:iam::444455556666:role/Reader")
            }
            Principal::OpsSession => Some("arn:aws:iam::111122223333:role/admin/Ops"),
            _ => None,
        }
    }
}

/// The values principal elements draw from: everyone, each account by id and by root ARN, the
/// roles, sessions (one of a role no caller uses) and users of both accounts, and a service.
pub const PRINCIPAL_VALUES: &[(PrincipalType, &str)] = &[
    (PrincipalType::Aws, "*"),
    (PrincipalType::Aws, MEMBER_ACCOUNT),
    (PrincipalType::Aws, "arn:aws:iam::111122223333:root"),
    (PrincipalType::Aws, "arn:aws:iam::111122223333:role/Reader"),
    (
        PrincipalType::Aws,
        "arn:aws:iam::111122223333:role/admin/Ops",
    ),
    (PrincipalType::Aws, "arn:aws:iam::111122223333:role/Member"),
    (
        PrincipalType::Aws,
        "arn:aws:sts::111122223333:assumed-role/Reader/alice",
    ),
    (
        PrincipalType::Aws,
        "arn:aws:sts::111122223333:assumed-role/Reader/mallory",
    ),
    (
        PrincipalType::Aws,
        "arn:aws:sts::111122223333:assumed-role/Ops/bob",
    ),
    (PrincipalType::Aws, "arn:aws:iam::111122223333:user/alice"),
    (PrincipalType::Aws, OTHER_ACCOUNT),
    (PrincipalType::Aws, "arn:aws:iam::444455556666:root"),
    (PrincipalType::Aws, "arn:aws:iam::444455556666:role/Reader"),
    (
        PrincipalType::Aws,
        "arn:aws:sts::444455556666:assumed-role/Reader/carol",
    ),
    (PrincipalType::Aws, "arn:aws:iam::444455556666:user/dave"),
    (PrincipalType::Service, "ec2.amazonaws.com"),
];

/// The values that name each step of `caller` in the order AWS checks them for `NotPrincipal`:
/// its account (by id, or by root ARN when `account_as_arn`), its role for a session, and the
/// caller itself unless it is the root user, whose only step is the account.
pub fn steps(caller: Principal, account_as_arn: bool) -> Vec<&'static str> {
    let Some(account) = caller.account_kind() else {
        return vec![caller.arn()];
    };
    let mut steps = vec![if account_as_arn {
        account.root_arn()
    } else {
        account.id()
    }];
    if let Some(role) = caller.role_arn() {
        steps.push(role);
    }
    if !matches!(caller, Principal::Root(_)) {
        steps.push(caller.arn());
    }
    steps
}

/// The `Principal` or `NotPrincipal` element of a generated resource-based policy statement.
#[derive(Debug, Clone, PartialEq)]
pub struct PrincipalDocument {
    /// Whether it is `NotPrincipal`.
    pub negated: bool,
    /// What it names.
    pub values: PrincipalValues,
}

/// What a principal element names.
#[derive(Debug, Clone, PartialEq)]
pub enum PrincipalValues {
    /// The bare string `"*"`.
    Everyone,
    /// An object of values under their keys; never empty.
    Listed(Vec<(PrincipalType, String)>),
}

impl PrincipalDocument {
    /// A `Principal` element naming a user of an account no generated caller belongs to, so
    /// that its statement applies to nobody.
    pub fn nobody() -> PrincipalDocument {
        PrincipalDocument {
            negated: false,
            values: PrincipalValues::Listed(vec![(
                PrincipalType::Aws,
                "arn:aws:iam::000000000000:user/nobody".to_owned(),
            )]),
        }
    }

    /// The element name: `Principal` or `NotPrincipal`.
    pub fn element_name(&self) -> &'static str {
        if self.negated {
            "NotPrincipal"
        } else {
            "Principal"
        }
    }

    /// The element's value as policy JSON: `"*"`, or an object with one value or an array of
    /// values under each key.
    pub fn value_json(&self) -> Value {
        let PrincipalValues::Listed(values) = &self.values else {
            return json!("*");
        };
        let mut object = Map::new();
        for kind in PrincipalType::ALL {
            let texts: Vec<&str> = values
                .iter()
                .filter(|(value_kind, _)| *value_kind == kind)
                .map(|(_, text)| text.as_str())
                .collect();
            match texts.as_slice() {
                [] => {}
                [single] => {
                    object.insert(kind.key().to_owned(), json!(single));
                }
                several => {
                    object.insert(kind.key().to_owned(), json!(several));
                }
            }
        }
        Value::Object(object)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn steps_follow_the_callers_chain() {
        let session = Principal::ReaderSession(Account::Member);
        assert_eq!(
            steps(session, false),
            [
                MEMBER_ACCOUNT,
                "arn:aws:iam::111122223333:role/Reader",
                "arn:aws:sts::111122223333:assumed-role/Reader/alice"
            ]
        );
        assert_eq!(
            steps(Principal::Root(Account::Other), true),
            ["arn:aws:iam::444455556666:root"]
        );
        assert_eq!(
            steps(Principal::User(Account::Other), false),
            [OTHER_ACCOUNT, "arn:aws:iam::444455556666:user/dave"]
        );
        assert_eq!(
            steps(Principal::OpsSession, true)[1],
            "arn:aws:iam::111122223333:role/admin/Ops"
        );
    }

    #[test]
    fn values_are_grouped_by_key() {
        let element = PrincipalDocument {
            negated: true,
            values: PrincipalValues::Listed(vec![
                (PrincipalType::Aws, MEMBER_ACCOUNT.to_owned()),
                (PrincipalType::Service, "ec2.amazonaws.com".to_owned()),
                (PrincipalType::Aws, OTHER_ACCOUNT.to_owned()),
            ]),
        };
        assert_eq!(element.element_name(), "NotPrincipal");
        assert_eq!(
            element.value_json(),
            json!({"AWS": [MEMBER_ACCOUNT, OTHER_ACCOUNT], "Service": "ec2.amazonaws.com"})
        );
        let everyone = PrincipalDocument {
            negated: false,
            values: PrincipalValues::Everyone,
        };
        assert_eq!(everyone.value_json(), json!("*"));
    }
}
