//! The `Principal` and `NotPrincipal` elements of resource-based policies, and how they match
//! the principal that makes a request.
//!
//! IAM User Guide, reference_policies_elements_principal.html: a principal is `"*"` (everyone),
//! or an object whose keys are `AWS`, `Service`, `Federated` and `CanonicalUser`, each with one
//! value or an array. An `AWS` value is `*`, an account id or the account's `:root` ARN (the
//! account: every principal in it), or the ARN of an IAM user, an IAM role (which names every
//! session of the role), an assumed-role session or a federated user session. A wildcard cannot
//! stand for part of a name or ARN, and a user group cannot be a principal.
//!
//! Users and roles are matched by partition, account and name, whatever the path in either ARN
//! (in `Principal` and `NotPrincipal` alike): IAM User Guide, reference_identifiers.html ("IAM
//! ARNs", friendly names and paths), a user's or a role's name is unique in its account whatever
//! its path, so `user/bob` and `user/eng/bob` are the same user; and a session ARN carries no
//! role path at all.
//!
//! IAM User Guide, reference_policies_elements_notprincipal.html: `NotPrincipal` is used with
//! `Deny` only, and AWS checks a caller in steps (account, then role, then session), so a caller
//! escapes the deny only when every step is listed: the account alone, or the role and its account,
//! or the session, the role and the account.

use std::fmt;

use miette::SourceSpan;

/// The kind of identifier in a principal object, the key it is written under.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PrincipalType {
    /// `AWS`: accounts, IAM users and roles, role sessions, federated user sessions.
    Aws,
    /// `Service`: an AWS service, e.g. `ec2.amazonaws.com`.
    Service,
    /// `Federated`: a web identity or SAML provider.
    Federated,
    /// `CanonicalUser`: an Amazon S3 canonical user id.
    CanonicalUser,
}

impl PrincipalType {
    /// Every type, in the order the keys are printed.
    pub const ALL: [PrincipalType; 4] = [
        PrincipalType::Aws,
        PrincipalType::Service,
        PrincipalType::Federated,
        PrincipalType::CanonicalUser,
    ];

    /// The key as written in a policy.
    pub fn key(self) -> &'static str {
        match self {
            PrincipalType::Aws => "AWS",
            PrincipalType::Service => "Service",
            PrincipalType::Federated => "Federated",
            PrincipalType::CanonicalUser => "CanonicalUser",
        }
    }

    pub(crate) fn from_key(key: &str) -> Option<PrincipalType> {
        PrincipalType::ALL
            .into_iter()
            .find(|kind| kind.key() == key)
    }
}

impl fmt::Display for PrincipalType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.key())
    }
}

/// What one value of a principal element names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Named {
    /// `*`: every principal.
    Everyone,
    /// An account, by id or by its `:root` ARN (which fixes the partition too).
    Account {
        partition: Option<String>,
        account: String,
    },
    /// An IAM role: the role and every session of it. Session ARNs carry no role path, so the
    /// role is known by partition, account and name.
    Role {
        partition: String,
        account: String,
        name: String,
    },
    /// An IAM user, known like a role by partition, account and name: the name is unique in
    /// the account whatever the path.
    User {
        partition: String,
        account: String,
        name: String,
    },
    /// One identity named by its exact ARN or identifier: an assumed-role session, a federated
    /// user session, a service, a provider or a canonical user.
    Exact(String),
}

/// One value of a principal element with its type, source text and span.
#[derive(Debug, Clone)]
pub(crate) struct PrincipalEntry {
    pub(crate) kind: PrincipalType,
    pub(crate) text: String,
    pub(crate) span: SourceSpan,
    pub(crate) named: Named,
}

/// The `Principal` or `NotPrincipal` element of a resource-based policy statement.
#[derive(Debug, Clone)]
pub struct PrincipalElement {
    pub(crate) negated: bool,
    pub(crate) element_span: SourceSpan,
    /// Written as the bare string `"*"` rather than as an object.
    pub(crate) bare_wildcard: bool,
    pub(crate) entries: Vec<PrincipalEntry>,
}

/// Elements are equal when they are written alike: same negation, same form, same values under
/// the same keys in the same order.
impl PartialEq for PrincipalElement {
    fn eq(&self, other: &Self) -> bool {
        let values = |element: &PrincipalElement| -> Vec<(PrincipalType, String)> {
            element
                .entries
                .iter()
                .map(|entry| (entry.kind, entry.text.clone()))
                .collect()
        };
        self.negated == other.negated
            && self.bare_wildcard == other.bare_wildcard
            && values(self) == values(other)
    }
}

impl Eq for PrincipalElement {}

/// How a statement's principal element relates to the caller.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PrincipalMatch {
    /// `Principal` does not name the caller, or `NotPrincipal` lists every step of it.
    NotApplicable,
    /// `Principal` names only the caller's account. In a resource-based policy this grants to
    /// the account, which then has to grant to its principals with identity policies.
    Account,
    /// `Principal` names the caller itself (its ARN, its role, or everyone), or `NotPrincipal`
    /// does not exempt it.
    Principal,
}

impl PrincipalMatch {
    /// Whether the statement applies to the caller at all.
    pub fn applies(self) -> bool {
        self != PrincipalMatch::NotApplicable
    }
}

impl PrincipalElement {
    /// Whether this is `NotPrincipal` rather than `Principal`.
    pub fn is_negated(&self) -> bool {
        self.negated
    }

    /// The element name as written: `Principal` or `NotPrincipal`.
    pub fn name(&self) -> &'static str {
        if self.negated {
            "NotPrincipal"
        } else {
            "Principal"
        }
    }

    /// The span of the element name in the source.
    pub fn element_span(&self) -> SourceSpan {
        self.element_span
    }

    /// Whether the element is the bare string `"*"`.
    pub fn is_bare_wildcard(&self) -> bool {
        self.bare_wildcard
    }

    /// The values with the key each is written under, in source order.
    pub fn values(&self) -> impl ExactSizeIterator<Item = (PrincipalType, &str)> {
        self.entries
            .iter()
            .map(|entry| (entry.kind, entry.text.as_str()))
    }

    /// The span of each value in the source, in order.
    pub fn spans(&self) -> impl ExactSizeIterator<Item = SourceSpan> + '_ {
        self.entries.iter().map(|entry| entry.span)
    }

    /// How the element relates to `caller_arn`, a principal of `caller_account`.
    pub fn match_caller(&self, caller_arn: &str, caller_account: &str) -> PrincipalMatch {
        let caller = Caller::parse(caller_arn, caller_account);
        if self.negated {
            return if caller
                .steps()
                .iter()
                .all(|step| self.entries.iter().any(|entry| entry.lists(&caller, *step)))
            {
                PrincipalMatch::NotApplicable
            } else {
                PrincipalMatch::Principal
            };
        }
        let mut best = PrincipalMatch::NotApplicable;
        for entry in &self.entries {
            match entry.names(&caller) {
                PrincipalMatch::Principal => return PrincipalMatch::Principal,
                PrincipalMatch::Account => best = PrincipalMatch::Account,
                PrincipalMatch::NotApplicable => {}
            }
        }
        best
    }

    /// The text of the first value that names the caller, for explanations.
    pub fn first_naming(&self, caller_arn: &str, caller_account: &str) -> Option<&str> {
        let caller = Caller::parse(caller_arn, caller_account);
        let naming = |level: PrincipalMatch| {
            self.entries
                .iter()
                .find(|entry| entry.names(&caller) == level)
                .map(|entry| entry.text.as_str())
        };
        naming(PrincipalMatch::Principal).or_else(|| naming(PrincipalMatch::Account))
    }
}

/// The caller of a request, read from its ARN.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Caller<'a> {
    arn: &'a str,
    partition: Option<&'a str>,
    account: &'a str,
    kind: CallerKind<'a>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum CallerKind<'a> {
    /// `arn:…:iam::<account>:root`, the account's root user.
    Root,
    /// An IAM role acting as itself.
    Role { name: &'a str },
    /// `arn:…:sts::<account>:assumed-role/<role>/<session>`.
    Session { role: &'a str },
    /// An IAM user, known by its name within its account.
    User { name: &'a str },
    /// A federated user session: known by its exact ARN within its account.
    AccountIdentity,
    /// A service or anything else that is not an ARN of an account's identity.
    Other,
}

/// One of the steps in which AWS checks a caller against `NotPrincipal`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Step {
    Account,
    Role,
    Itself,
}

impl<'a> Caller<'a> {
    fn parse(arn: &'a str, fallback_account: &'a str) -> Caller<'a> {
        let other = Caller {
            arn,
            partition: None,
            account: fallback_account,
            kind: CallerKind::Other,
        };
        let Some(parts) = arn_parts(arn) else {
            return other;
        };
        let kind = match (parts.service, parts.resource) {
            ("iam", "root") => CallerKind::Root,
            ("iam", resource) if resource.starts_with("user/") => CallerKind::User {
                name: last_segment(resource),
            },
            ("iam", resource) if resource.starts_with("role/") => CallerKind::Role {
                name: last_segment(resource),
            },
            ("sts", resource) if resource.starts_with("assumed-role/") => {
                let mut pieces = resource.splitn(3, '/').skip(1);
                match pieces.next() {
                    Some(role) if !role.is_empty() => CallerKind::Session { role },
                    _ => return other,
                }
            }
            ("sts", resource) if resource.starts_with("federated-user/") => {
                CallerKind::AccountIdentity
            }
            _ => return other,
        };
        Caller {
            arn,
            partition: Some(parts.partition),
            account: parts.account,
            kind,
        }
    }

    /// The steps AWS checks, in order.
    fn steps(&self) -> &'static [Step] {
        match self.kind {
            CallerKind::Root => &[Step::Account],
            CallerKind::Role { .. } => &[Step::Account, Step::Role],
            CallerKind::Session { .. } => &[Step::Account, Step::Role, Step::Itself],
            CallerKind::User { .. } | CallerKind::AccountIdentity => &[Step::Account, Step::Itself],
            CallerKind::Other => &[Step::Itself],
        }
    }

    fn role_name(&self) -> Option<&'a str> {
        match self.kind {
            CallerKind::Role { name } => Some(name),
            CallerKind::Session { role } => Some(role),
            _ => None,
        }
    }

    fn user_name(&self) -> Option<&'a str> {
        match self.kind {
            CallerKind::User { name } => Some(name),
            _ => None,
        }
    }

    fn in_account(&self, partition: Option<&str>, account: &str) -> bool {
        self.kind != CallerKind::Other
            && self.account == account
            && partition.is_none_or(|partition| self.partition == Some(partition))
    }
}

impl PrincipalEntry {
    /// How this value relates to the caller in a `Principal` element.
    fn names(&self, caller: &Caller<'_>) -> PrincipalMatch {
        let named = match &self.named {
            Named::Everyone => true,
            Named::Account { partition, account } => {
                return if self.kind == PrincipalType::Aws
                    && caller.in_account(partition.as_deref(), account)
                {
                    PrincipalMatch::Account
                } else {
                    PrincipalMatch::NotApplicable
                };
            }
            Named::Role {
                partition,
                account,
                name,
            } => {
                caller.in_account(Some(partition), account)
                    && caller.role_name() == Some(name.as_str())
            }
            Named::User {
                partition,
                account,
                name,
            } => {
                caller.in_account(Some(partition), account)
                    && caller.user_name() == Some(name.as_str())
            }
            Named::Exact(identifier) => self.exact_match(caller, identifier),
        };
        if named {
            PrincipalMatch::Principal
        } else {
            PrincipalMatch::NotApplicable
        }
    }

    /// Whether this value lists the caller's `step` in a `NotPrincipal` element.
    fn lists(&self, caller: &Caller<'_>, step: Step) -> bool {
        match (&self.named, step) {
            (Named::Everyone, _) => true,
            (Named::Account { partition, account }, Step::Account) => {
                self.kind == PrincipalType::Aws && caller.in_account(partition.as_deref(), account)
            }
            (
                Named::Role {
                    partition,
                    account,
                    name,
                },
                Step::Role,
            ) => {
                caller.in_account(Some(partition), account)
                    && caller.role_name() == Some(name.as_str())
            }
            (
                Named::User {
                    partition,
                    account,
                    name,
                },
                Step::Itself,
            ) => {
                caller.in_account(Some(partition), account)
                    && caller.user_name() == Some(name.as_str())
            }
            (Named::Exact(identifier), Step::Itself) => self.exact_match(caller, identifier),
            _ => false,
        }
    }

    fn exact_match(&self, caller: &Caller<'_>, identifier: &str) -> bool {
        let is_account_identity = matches!(
            caller.kind,
            CallerKind::AccountIdentity | CallerKind::Session { .. }
        );
        match self.kind {
            PrincipalType::Aws => is_account_identity && caller.arn == identifier,
            // Limitation: a service, a federated provider or a canonical user is matched only
            // when the request's principal is given as that same identifier; how AWS maps
            // service calls and web identity sessions to these principals is not modelled.
            PrincipalType::Service | PrincipalType::Federated | PrincipalType::CanonicalUser => {
                caller.kind == CallerKind::Other && caller.arn == identifier
            }
        }
    }
}

/// The parts of an ARN that principals use.
struct ArnParts<'a> {
    partition: &'a str,
    service: &'a str,
    account: &'a str,
    resource: &'a str,
}

fn arn_parts(arn: &str) -> Option<ArnParts<'_>> {
    let mut parts = arn.splitn(6, ':');
    let (Some("arn"), Some(partition), Some(service), Some(""), Some(account), Some(resource)) = (
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
    ) else {
        return None;
    };
    let valid = !partition.is_empty() && is_account_id(account) && !resource.is_empty();
    valid.then_some(ArnParts {
        partition,
        service,
        account,
        resource,
    })
}

fn last_segment(path: &str) -> &str {
    path.rsplit('/').next().unwrap_or(path)
}

/// Whether `text` is a 12-digit AWS account id.
pub(crate) fn is_account_id(text: &str) -> bool {
    text.len() == 12 && text.bytes().all(|byte| byte.is_ascii_digit())
}

/// Reads one principal value, or says what is wrong with it.
pub(crate) fn parse_value(kind: PrincipalType, text: &str) -> Result<Named, &'static str> {
    if text == "*" {
        return Ok(Named::Everyone);
    }
    if text.contains(['*', '?']) {
        return Err("a wildcard may only stand alone: `*`");
    }
    if text.is_empty() || text.contains(char::is_whitespace) {
        return Err("expected an identifier without spaces");
    }
    match kind {
        PrincipalType::Aws => parse_aws_value(text),
        PrincipalType::Service | PrincipalType::Federated | PrincipalType::CanonicalUser => {
            Ok(Named::Exact(text.to_owned()))
        }
    }
}

fn parse_aws_value(text: &str) -> Result<Named, &'static str> {
    if is_account_id(text) {
        return Ok(Named::Account {
            partition: None,
            account: text.to_owned(),
        });
    }
    let Some(parts) = arn_parts(text) else {
        return Err("expected `*`, a 12-digit account id or an IAM or STS ARN");
    };
    let resource = parts.resource;
    match parts.service {
        "iam" if resource == "root" => Ok(Named::Account {
            partition: Some(parts.partition.to_owned()),
            account: parts.account.to_owned(),
        }),
        "iam" if resource.starts_with("role/") && resource.len() > "role/".len() => {
            Ok(Named::Role {
                partition: parts.partition.to_owned(),
                account: parts.account.to_owned(),
                name: last_segment(resource).to_owned(),
            })
        }
        "iam" if resource.starts_with("user/") && resource.len() > "user/".len() => {
            Ok(Named::User {
                partition: parts.partition.to_owned(),
                account: parts.account.to_owned(),
                name: last_segment(resource).to_owned(),
            })
        }
        "iam" if resource.starts_with("group/") => Err("an IAM user group cannot be a principal"),
        "sts" if is_session(resource, "assumed-role/", 2) => Ok(Named::Exact(text.to_owned())),
        "sts" if is_session(resource, "federated-user/", 1) => Ok(Named::Exact(text.to_owned())),
        "iam" | "sts" => Err(
            "expected the ARN of an account root, a user, a role, an assumed-role session or a \
             federated user",
        ),
        _ => Err("an AWS principal ARN is an `iam` or `sts` ARN"),
    }
}

/// Whether `resource` is `prefix` followed by `parts` non-empty names separated by `/`.
fn is_session(resource: &str, prefix: &str, parts: usize) -> bool {
    resource.strip_prefix(prefix).is_some_and(|rest| {
        let names: Vec<&str> = rest.split('/').collect();
        names.len() == parts && names.iter().all(|name| !name.is_empty())
    })
}

#[cfg(test)]
mod tests;
