//! One generated authorization question: an organization with its SCPs and a request, in a
//! form both evaluators can be given.

use std::collections::HashMap;
use std::sync::Arc;

use scpcheck_policy::{
    AttachedPolicy, Context, ContextValue, Decision, Effect, LevelKind, OrgLevel, Organization,
    Policy, PolicyErrors, Request, scp_decision,
};
use serde_json::{Map, Value, json};

use crate::protocol::{OracleLevel, OraclePolicy, OracleRequest};

/// The member account every ordinary principal belongs to.
pub const MEMBER_ACCOUNT: &str = "111122223333";
/// The organization's management account.
pub const MANAGEMENT_ACCOUNT: &str = "999999999999";
/// The name and text of the policy AWS attaches everywhere by default.
pub const FULL_AWS_ACCESS: &str = "FullAWSAccess";
const FULL_AWS_ACCESS_TEXT: &str =
    r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}"#;

/// An organization and a request.
#[derive(Debug, Clone, PartialEq)]
pub struct Case {
    /// The levels from the root down; the last one is the account when there are two or more.
    pub levels: Vec<Level>,
    /// Who asks.
    pub principal: Principal,
    /// The action, `service:Action`.
    pub action: String,
    /// The resource ARN or `*`.
    pub resource: String,
    /// The condition keys present, each once (compared ignoring letter case).
    pub context: Vec<(String, KeyValue)>,
}

/// The SCPs attached to one level.
#[derive(Debug, Clone, PartialEq)]
pub struct Level {
    /// The attached SCPs.
    pub policies: Vec<Scp>,
}

/// One attached SCP.
#[derive(Debug, Clone, PartialEq)]
pub enum Scp {
    /// `FullAWSAccess`: allow everything.
    FullAwsAccess,
    /// A generated policy.
    Document(PolicyDocument),
}

/// A policy document in a form that can be rewritten before it is rendered as JSON.
#[derive(Debug, Clone, PartialEq)]
pub struct PolicyDocument {
    /// The `Version` element, or `None` to leave it out.
    pub version: Option<String>,
    /// The statements.
    pub statements: Vec<StatementDocument>,
}

/// One statement.
#[derive(Debug, Clone, PartialEq)]
pub struct StatementDocument {
    /// `Allow` or `Deny`.
    pub effect: Effect,
    /// `Action` or `NotAction`.
    pub action: Element,
    /// `Resource` or `NotResource`.
    pub resource: Element,
    /// The conditions, each one operator on one key; at most one per operator and key.
    pub conditions: Vec<ConditionDocument>,
}

/// An element with its negated form: `Action`/`NotAction`, `Resource`/`NotResource`.
#[derive(Debug, Clone, PartialEq)]
pub struct Element {
    /// Whether it is the `Not...` form.
    pub negated: bool,
    /// The patterns.
    pub patterns: Vec<String>,
}

/// One operator applied to one key.
#[derive(Debug, Clone, PartialEq)]
pub struct ConditionDocument {
    /// The full operator name, e.g. `ForAnyValue:StringLikeIfExists`.
    pub operator: String,
    /// The condition key as written.
    pub key: String,
    /// The policy values.
    pub values: Vec<String>,
}

/// The value of a context key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeyValue {
    /// A single-valued key.
    Single(String),
    /// A multi-valued key, possibly empty.
    Multi(Vec<String>),
}

/// Who makes the request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Principal {
    /// A role in the member account.
    Member,
    /// A service-linked role in the member account.
    ServiceLinkedRole,
    /// A role in the management account.
    Management,
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
        }
    }

    /// The principal's account.
    pub fn account(self) -> &'static str {
        match self {
            Principal::Member | Principal::ServiceLinkedRole => MEMBER_ACCOUNT,
            Principal::Management => MANAGEMENT_ACCOUNT,
        }
    }
}

impl PolicyDocument {
    /// The document as policy JSON; conditions are grouped by operator.
    pub fn to_json(&self) -> Value {
        let mut policy = Map::new();
        if let Some(version) = &self.version {
            policy.insert("Version".into(), Value::String(version.clone()));
        }
        let statements = self.statements.iter().map(statement_json).collect();
        policy.insert("Statement".into(), Value::Array(statements));
        Value::Object(policy)
    }
}

fn statement_json(statement: &StatementDocument) -> Value {
    let mut object = Map::new();
    object.insert("Effect".into(), json!(statement.effect.to_string()));
    let (action, resource) = (&statement.action, &statement.resource);
    let action_name = if action.negated {
        "NotAction"
    } else {
        "Action"
    };
    object.insert(action_name.into(), json!(action.patterns));
    let resource_name = if resource.negated {
        "NotResource"
    } else {
        "Resource"
    };
    object.insert(resource_name.into(), json!(resource.patterns));
    if !statement.conditions.is_empty() {
        let mut blocks = Map::new();
        for condition in &statement.conditions {
            let block = blocks
                .entry(condition.operator.clone())
                .or_insert_with(|| Value::Object(Map::new()));
            if let Value::Object(keys) = block {
                keys.insert(condition.key.clone(), json!(condition.values));
            }
        }
        object.insert("Condition".into(), Value::Object(blocks));
    }
    Value::Object(object)
}

/// Parses the same generated document once for every case that holds it.
#[derive(Debug, Default)]
pub struct PolicyCache {
    parsed: HashMap<String, Arc<Policy>>,
}

impl PolicyCache {
    /// An empty cache.
    pub fn new() -> Self {
        Self::default()
    }

    fn parse(&mut self, text: String) -> Result<Arc<Policy>, Box<PolicyErrors>> {
        if let Some(policy) = self.parsed.get(&text) {
            return Ok(Arc::clone(policy));
        }
        let policy = Arc::new(Policy::parse("generated.json", &text).map_err(Box::new)?);
        // The cache is a convenience: bounded so a long run does not grow without limit.
        if self.parsed.len() > 50_000 {
            self.parsed.clear();
        }
        self.parsed.insert(text, Arc::clone(&policy));
        Ok(policy)
    }
}

impl Case {
    /// The identifier of level `index`: the root, an OU, or the account for the last one.
    pub fn level_id(&self, index: usize) -> String {
        match self.level_kind(index) {
            LevelKind::Root => "r-exam".to_owned(),
            LevelKind::OrganizationalUnit => format!("ou-exam-{index}"),
            LevelKind::Account => MEMBER_ACCOUNT.to_owned(),
        }
    }

    fn level_kind(&self, index: usize) -> LevelKind {
        if index == 0 {
            LevelKind::Root
        } else if index + 1 == self.levels.len() {
            LevelKind::Account
        } else {
            LevelKind::OrganizationalUnit
        }
    }

    /// The organization for the evaluator under test.
    pub fn organization(&self, cache: &mut PolicyCache) -> Result<Organization, Box<PolicyErrors>> {
        let mut levels = Vec::with_capacity(self.levels.len());
        for (index, level) in self.levels.iter().enumerate() {
            let mut policies = Vec::with_capacity(level.policies.len());
            for (position, scp) in level.policies.iter().enumerate() {
                let (name, policy) = match scp {
                    Scp::FullAwsAccess => (
                        FULL_AWS_ACCESS.to_owned(),
                        cache.parse(FULL_AWS_ACCESS_TEXT.to_owned())?,
                    ),
                    Scp::Document(document) => {
                        let text = document.to_json().to_string();
                        (format!("scp-{index}-{position}"), cache.parse(text)?)
                    }
                };
                policies.push(AttachedPolicy { name, policy });
            }
            levels.push(OrgLevel {
                target_id: self.level_id(index),
                kind: self.level_kind(index),
                policies,
            });
        }
        Ok(Organization {
            management_account_id: MANAGEMENT_ACCOUNT.to_owned(),
            levels,
        })
    }

    /// The request for the evaluator under test.
    pub fn request(&self) -> Request {
        let mut context = Context::new();
        for (key, value) in &self.context {
            let value = match value {
                KeyValue::Single(text) => ContextValue::Single(text.clone()),
                KeyValue::Multi(values) => ContextValue::Multi(values.clone()),
            };
            context.insert(key.clone(), value);
        }
        Request {
            principal_arn: self.principal.arn().to_owned(),
            account_id: self.principal.account().to_owned(),
            action: self.action.clone(),
            resource: self.resource.clone(),
            context,
        }
    }

    /// The decision of the evaluator under test.
    pub fn decide(&self, cache: &mut PolicyCache) -> Result<Decision, Box<PolicyErrors>> {
        Ok(scp_decision(&self.organization(cache)?, &self.request()))
    }

    /// The question for the oracle.
    pub fn oracle_request(&self) -> OracleRequest {
        let levels = self
            .levels
            .iter()
            .enumerate()
            .map(|(index, level)| OracleLevel {
                id: self.level_id(index),
                policies: level
                    .policies
                    .iter()
                    .enumerate()
                    .map(|(position, scp)| oracle_policy(index, position, scp))
                    .collect(),
            })
            .collect();
        OracleRequest {
            principal: self.principal.arn().to_owned(),
            account: self.principal.account().to_owned(),
            action: self.action.clone(),
            resource: self.resource.clone(),
            context: self.context_json(),
            levels,
        }
    }

    /// The context as JSON: a string per single-valued key, an array per multi-valued one.
    pub fn context_json(&self) -> Map<String, Value> {
        self.context
            .iter()
            .map(|(key, value)| {
                let value = match value {
                    KeyValue::Single(text) => json!(text),
                    KeyValue::Multi(values) => json!(values),
                };
                (key.clone(), value)
            })
            .collect()
    }

    /// Every generated policy of the case, in level order.
    pub fn documents(&self) -> impl Iterator<Item = &PolicyDocument> {
        self.levels
            .iter()
            .flat_map(|level| &level.policies)
            .filter_map(|scp| match scp {
                Scp::FullAwsAccess => None,
                Scp::Document(document) => Some(document),
            })
    }

    /// Every condition of every generated policy.
    pub fn conditions(&self) -> impl Iterator<Item = &ConditionDocument> {
        self.documents()
            .flat_map(|document| &document.statements)
            .flat_map(|statement| &statement.conditions)
    }

    /// The value of a context key, looked up ignoring letter case.
    pub fn context_value(&self, key: &str) -> Option<&KeyValue> {
        self.context
            .iter()
            .find(|(name, _)| name.eq_ignore_ascii_case(key))
            .map(|(_, value)| value)
    }
}

fn oracle_policy(level: usize, position: usize, scp: &Scp) -> OraclePolicy {
    match scp {
        Scp::FullAwsAccess => OraclePolicy {
            name: FULL_AWS_ACCESS.to_owned(),
            policy: serde_json::from_str(FULL_AWS_ACCESS_TEXT).unwrap_or(Value::Null),
        },
        Scp::Document(document) => OraclePolicy {
            name: format!("scp-{level}-{position}"),
            policy: document.to_json(),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn deny_unencrypted() -> PolicyDocument {
        PolicyDocument {
            version: Some("2012-10-17".into()),
            statements: vec![StatementDocument {
                effect: Effect::Deny,
                action: Element {
                    negated: false,
                    patterns: vec!["ec2:CreateVolume".into()],
                },
                resource: Element {
                    negated: false,
                    patterns: vec!["*".into()],
                },
                conditions: vec![ConditionDocument {
                    operator: "Bool".into(),
                    key: "ec2:Encrypted".into(),
                    values: vec!["false".into()],
                }],
            }],
        }
    }

    fn case(encrypted: &str) -> Case {
        Case {
            levels: vec![
                Level {
                    policies: vec![Scp::FullAwsAccess],
                },
                Level {
                    policies: vec![Scp::FullAwsAccess, Scp::Document(deny_unencrypted())],
                },
                Level {
                    policies: vec![Scp::FullAwsAccess],
                },
            ],
            principal: Principal::Member,
            action: "ec2:CreateVolume".into(),
            resource: "*".into(),
            context: vec![("ec2:Encrypted".into(), KeyValue::Single(encrypted.into()))],
        }
    }

    #[test]
    fn renders_policy_json() {
        let json = deny_unencrypted().to_json();
        assert_eq!(
            json,
            json!({"Version": "2012-10-17", "Statement": [{"Effect": "Deny",
                "Action": ["ec2:CreateVolume"], "Resource": ["*"],
                "Condition": {"Bool": {"ec2:Encrypted": ["false"]}}}]})
        );
    }

    #[test]
    fn decides_with_the_evaluator_under_test() {
        let mut cache = PolicyCache::new();
        assert_eq!(case("false").decide(&mut cache).unwrap(), Decision::Deny);
        assert_eq!(case("true").decide(&mut cache).unwrap(), Decision::Allow);
    }

    #[test]
    fn levels_are_root_ous_and_account() {
        let case = case("true");
        let request = case.oracle_request();
        let ids: Vec<&str> = request
            .levels
            .iter()
            .map(|level| level.id.as_str())
            .collect();
        assert_eq!(ids, ["r-exam", "ou-exam-1", MEMBER_ACCOUNT]);
        assert_eq!(request.context["ec2:Encrypted"], json!("true"));
    }
}
