//! The request being authorized: principal, action, resource and condition context.

use std::collections::BTreeMap;

/// The value of one condition key in a request context.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ContextValue {
    /// A single-valued key, e.g. `aws:SecureTransport`.
    Single(String),
    /// A multi-valued key, e.g. `aws:TagKeys`; may be empty.
    Multi(Vec<String>),
}

/// Condition keys present in a request. Key names are case-insensitive; a key that is not
/// present is absent, which the operators treat as AWS documents.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Context {
    /// Lowercased key name to the key as given and its value.
    entries: BTreeMap<String, (String, ContextValue)>,
}

impl Context {
    /// An empty context.
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets `key` to `value`, replacing any earlier value of the same key in any letter case.
    pub fn insert(&mut self, key: impl Into<String>, value: ContextValue) {
        let key = key.into();
        self.entries.insert(key.to_ascii_lowercase(), (key, value));
    }

    /// Sets a single-valued key.
    pub fn insert_single(&mut self, key: impl Into<String>, value: impl Into<String>) {
        self.insert(key, ContextValue::Single(value.into()));
    }

    /// The value of `key`, looked up case-insensitively.
    pub fn get(&self, key: &str) -> Option<&ContextValue> {
        self.entries
            .get(&key.to_ascii_lowercase())
            .map(|(_, value)| value)
    }

    /// The value of a key whose name is already in ASCII lowercase; avoids converting the name
    /// on every lookup when the caller lowercased it once in advance.
    pub fn get_lowercase(&self, lowercase_key: &str) -> Option<&ContextValue> {
        self.entries.get(lowercase_key).map(|(_, value)| value)
    }

    /// The keys as given and their values, ordered by lowercased key name.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &ContextValue)> {
        self.entries
            .values()
            .map(|(key, value)| (key.as_str(), value))
    }

    /// Whether no key is present.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

/// One authorization question: may this principal perform this action on this resource?
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Request {
    /// ARN of the calling principal, e.g. `arn:aws:iam::111122223333:role/Admin`.
    pub principal_arn: String,
    /// The account the principal belongs to.
    pub account_id: String,
    /// The action, `service:Action`, e.g. `ec2:CreateVolume`.
    pub action: String,
    /// The resource ARN, or `*` for actions that take no resource.
    pub resource: String,
    /// The condition keys of the request.
    pub context: Context,
}

/// The account an ARN names (its fifth part), if it names one: twelve digits. S3 ARNs name
/// none, and AWS managed policies (`arn:aws:iam::aws:policy/…`) belong to no account of a
/// customer.
///
/// IAM User Guide, reference-arns.html: `arn:partition:service:region:account-id:…`, where some
/// services leave the account out.
pub fn arn_account(arn: &str) -> Option<&str> {
    arn.split(':')
        .nth(4)
        .filter(|account| account.len() == 12 && account.bytes().all(|b| b.is_ascii_digit()))
}

impl Request {
    /// The account the resource's ARN names, if it names one (see [`arn_account`]).
    pub fn resource_account(&self) -> Option<&str> {
        arn_account(&self.resource)
    }

    /// Checks `account`, given as the owner of the resource, against the account the resource's
    /// ARN names, if it names one: the ARN says who owns the resource, and another owner would
    /// contradict it.
    pub fn check_resource_owner(&self, account: &str) -> Result<(), String> {
        match self.resource_account() {
            Some(named) if named != account => Err(format!(
                "the resource's ARN names account `{named}`, which owns it; another owner \
                 (`{account}`) contradicts it"
            )),
            _ => Ok(()),
        }
    }

    /// Whether the resource's ARN names an account other than the principal's, so that without
    /// a resource-based policy that grants it the request is denied whatever the SCPs and
    /// identity policies say.
    pub fn names_another_account(&self) -> bool {
        self.resource_account()
            .is_some_and(|account| account != self.account_id)
    }
}

mod check;

pub use check::{Caller, check_action, check_context_key, check_resource, read_caller};
