//! One generated authorization question: an organization with its SCPs, optionally the
//! caller's identity policies and the resource's resource-based policy, and a request, in a
//! form both evaluators can be given.

use std::collections::HashMap;
use std::sync::Arc;

use scpcheck_policy::{
    AttachedPolicy, Context, ContextValue, Decision, Effect, EvaluationReason, LevelKind, OrgLevel,
    Organization, Policy, PolicyErrors, PolicyKind, Request, ResourcePolicy, ResourcePolicyError,
    arn_account, evaluate, scp_decision,
};
use serde_json::{Map, Value, json};

pub use crate::principals::Principal;
use crate::principals::{Account, PrincipalDocument};
use crate::protocol::{OracleLevel, OraclePermissions, OraclePolicy, OracleRequest};

/// The member account every ordinary principal belongs to.
pub const MEMBER_ACCOUNT: &str = "111122223333";
/// The organization's management account.
pub const MANAGEMENT_ACCOUNT: &str = "999999999999";
/// The name and text of the policy AWS attaches everywhere by default.
pub const FULL_AWS_ACCESS: &str = "FullAWSAccess";
const FULL_AWS_ACCESS_TEXT: &str =
    r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}"#;

/// An organization and a request, and for a case over every policy type the caller's identity
/// policies and the resource's policy.
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
    /// The caller's identity policies and the resource's policy; `None` asks about the SCPs
    /// alone, for a caller whose identity policy allows everything and a resource in its own
    /// account.
    pub permissions: Option<Permissions>,
}

/// The policies besides SCPs of a case over every policy type.
#[derive(Debug, Clone, PartialEq)]
pub struct Permissions {
    /// The caller's identity policies, possibly none.
    pub identity: Vec<PolicyDocument>,
    /// The resource-based policy of the requested resource, if it has one.
    pub resource_policy: Option<ResourcePolicyDocument>,
}

/// A resource-based policy and the account that owns the resource.
#[derive(Debug, Clone, PartialEq)]
pub struct ResourcePolicyDocument {
    /// The policy; every statement has a principal element.
    pub document: PolicyDocument,
    /// The account that owns the resource.
    pub owner: Account,
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
    /// `Principal` or `NotPrincipal`, in resource-based policies only.
    pub principal: Option<PrincipalDocument>,
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
    if let Some(principal) = &statement.principal {
        object.insert(principal.element_name().into(), principal.value_json());
    }
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
    parsed: HashMap<(PolicyKind, String), Arc<Policy>>,
}

impl PolicyCache {
    /// An empty cache.
    pub fn new() -> Self {
        Self::default()
    }

    fn parse(&mut self, text: String) -> Result<Arc<Policy>, Box<PolicyErrors>> {
        self.parse_as(PolicyKind::Identity, text)
    }

    fn parse_as(
        &mut self,
        kind: PolicyKind,
        text: String,
    ) -> Result<Arc<Policy>, Box<PolicyErrors>> {
        let key = (kind, text);
        if let Some(policy) = self.parsed.get(&key) {
            return Ok(Arc::clone(policy));
        }
        let policy = Policy::parse_as(kind, "generated.json", &key.1).map_err(Box::new)?;
        let policy = Arc::new(policy);
        // The cache is a convenience: bounded so a long run does not grow without limit.
        if self.parsed.len() > 50_000 {
            self.parsed.clear();
        }
        self.parsed.insert(key, Arc::clone(&policy));
        Ok(policy)
    }
}

/// Why the evaluator under test cannot be given a generated case: a bug in the generator.
#[derive(Debug, thiserror::Error)]
pub enum CaseError {
    /// A generated policy does not parse.
    #[error("a generated policy does not parse: {0:?}")]
    Policy(Box<PolicyErrors>),
    /// The resource-based policy cannot be attached.
    #[error(transparent)]
    ResourcePolicy(#[from] ResourcePolicyError),
}

impl From<Box<PolicyErrors>> for CaseError {
    fn from(errors: Box<PolicyErrors>) -> Self {
        CaseError::Policy(errors)
    }
}

impl Case {
    /// The identifier of level `index`: the root, an OU, or the account for the last one.
    pub fn level_id(&self, index: usize) -> String {
        match self.level_kind(index) {
            LevelKind::Root => "r-exam".to_owned(),
            LevelKind::OrganizationalUnit => format!("ou-exam-{index}"),
            LevelKind::Account => self.principal.account().to_owned(),
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
    pub fn decide(&self, cache: &mut PolicyCache) -> Result<Decision, CaseError> {
        Ok(self.evaluate(cache)?.0)
    }

    /// The decision of the evaluator under test, with its reason for a case over every policy
    /// type.
    pub fn evaluate(
        &self,
        cache: &mut PolicyCache,
    ) -> Result<(Decision, Option<EvaluationReason>), CaseError> {
        let organization = self.organization(cache)?;
        let request = self.request();
        let Some(permissions) = &self.permissions else {
            return Ok((scp_decision(&organization, &request), None));
        };
        let mut identity = Vec::with_capacity(permissions.identity.len());
        for document in &permissions.identity {
            identity.push(cache.parse(document.to_json().to_string())?);
        }
        let resource_policy = match &permissions.resource_policy {
            Some(resource) => {
                let text = resource.document.to_json().to_string();
                let policy = cache.parse_as(PolicyKind::ResourceBased, text)?;
                Some(ResourcePolicy::new(policy, resource.owner.id())?)
            }
            None => None,
        };
        let evaluation = evaluate(&organization, &identity, resource_policy.as_ref(), &request);
        Ok((evaluation.decision(), Some(evaluation.reason())))
    }

    /// The account that owns the requested resource: the resource policy's owner, else the
    /// account in the resource's ARN, else the caller's account, as the evaluator takes it.
    pub fn resource_account(&self) -> &str {
        match self.resource_policy() {
            Some(resource) => resource.owner.id(),
            None => arn_account(&self.resource).unwrap_or_else(|| self.principal.account()),
        }
    }

    /// The resource-based policy, if the case has one.
    pub fn resource_policy(&self) -> Option<&ResourcePolicyDocument> {
        self.permissions
            .as_ref()
            .and_then(|permissions| permissions.resource_policy.as_ref())
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
        let policies = self
            .permissions
            .as_ref()
            .map(|permissions| OraclePermissions {
                identity_policies: permissions
                    .identity
                    .iter()
                    .enumerate()
                    .map(|(index, document)| OraclePolicy {
                        name: format!("identity-{index}"),
                        policy: document.to_json(),
                    })
                    .collect(),
                resource_policy: permissions
                    .resource_policy
                    .as_ref()
                    .map(|resource| resource.document.to_json()),
            });
        // A question about the SCPs alone keeps the resource in the caller's account, whatever
        // account its ARN names: the oracle would otherwise deny across accounts for want of a
        // resource-based policy, and say nothing about the SCPs.
        let account = match self.permissions {
            Some(_) => self.resource_account(),
            None => self.principal.account(),
        };
        OracleRequest {
            principal: self.principal.arn().to_owned(),
            account: account.to_owned(),
            action: self.action.clone(),
            resource: self.resource.clone(),
            context: self.context_json(),
            levels,
            policies,
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

    /// Every generated SCP of the case, in level order.
    pub fn scp_documents(&self) -> impl Iterator<Item = &PolicyDocument> {
        self.levels
            .iter()
            .flat_map(|level| &level.policies)
            .filter_map(|scp| match scp {
                Scp::FullAwsAccess => None,
                Scp::Document(document) => Some(document),
            })
    }

    /// Every generated policy of the case: the SCPs in level order, the identity policies, the
    /// resource-based policy.
    pub fn documents(&self) -> impl Iterator<Item = &PolicyDocument> {
        let permissions = self.permissions.iter().flat_map(|permissions| {
            let resource = permissions.resource_policy.iter();
            permissions
                .identity
                .iter()
                .chain(resource.map(|resource| &resource.document))
        });
        self.scp_documents().chain(permissions)
    }

    /// Every generated policy of the case, in the order of [`Case::documents`], for rewriting.
    pub fn documents_mut(&mut self) -> Vec<&mut PolicyDocument> {
        let mut documents = Vec::new();
        for level in &mut self.levels {
            for scp in &mut level.policies {
                if let Scp::Document(document) = scp {
                    documents.push(document);
                }
            }
        }
        if let Some(permissions) = &mut self.permissions {
            documents.extend(permissions.identity.iter_mut());
            if let Some(resource) = &mut permissions.resource_policy {
                documents.push(&mut resource.document);
            }
        }
        documents
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
                principal: None,
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
            permissions: None,
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

    #[test]
    fn questions_over_every_policy_type_carry_the_other_policies() {
        use crate::principals::{PrincipalDocument, PrincipalValues};

        let mut resource_policy = deny_unencrypted();
        resource_policy.statements[0].principal = Some(PrincipalDocument {
            negated: true,
            values: PrincipalValues::Listed(vec![(
                scpcheck_policy::PrincipalType::Aws,
                MEMBER_ACCOUNT.to_owned(),
            )]),
        });
        let case = Case {
            principal: Principal::Root(Account::Member),
            permissions: Some(Permissions {
                identity: vec![deny_unencrypted()],
                resource_policy: Some(ResourcePolicyDocument {
                    document: resource_policy,
                    owner: Account::Other,
                }),
            }),
            ..case("false")
        };
        let request = case.oracle_request();
        assert_eq!(request.account, "444455556666");
        assert_eq!(request.principal, "arn:aws:iam::111122223333:root");
        assert_eq!(request.levels[2].id, MEMBER_ACCOUNT);
        let policies = request.policies.unwrap();
        assert_eq!(policies.identity_policies[0].name, "identity-0");
        let statement = &policies.resource_policy.unwrap()["Statement"][0];
        assert_eq!(statement["NotPrincipal"], json!({"AWS": MEMBER_ACCOUNT}));

        let mut cache = PolicyCache::new();
        let (decision, reason) = case.evaluate(&mut cache).unwrap();
        assert_eq!(decision, Decision::Deny);
        assert_eq!(reason, Some(EvaluationReason::ExplicitDenyInScp));
    }
}
