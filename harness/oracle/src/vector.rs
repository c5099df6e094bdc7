//! Disagreements written as decision vectors, the JSON lines format of the evaluator's test data.
//!
//! The vector's `expected` is the evaluator under test's answer and its `why` says that the case
//! is unsettled and what the oracle answered.
//!
//! A vector holds one SCP, attached to the OU that holds the account, with `FullAWSAccess` at
//! the root, the OU and the account. A case of that shape is written as such; any other keeps
//! its whole organization in an `organization` field instead of `scp`, which the vector tests do
//! not read, so it has to be reduced by hand before it can join them.
//!
//! A case about the SCPs alone whose resource ARN names another account than the caller's gets a
//! resource-based policy that grants the caller's account, since a vector's resource of another
//! account is otherwise denied whatever the SCPs say.
//!
//! A case over every policy type also writes its caller, its identity policy as `identity` (a
//! policy that allows nothing when it has none; two are written as `identity_policies`, which
//! again has to be reduced by hand), and its resource-based policy with `resource_account`.

use scpcheck_policy::{Decision, Effect, arn_account};
use serde_json::{Map, Value, json};

use crate::case::{Case, Element, Level, PolicyDocument, Principal, Scp, StatementDocument};

/// `FullAWSAccess` as a generated document, for a vector whose SCPs allow everything.
pub fn full_aws_access_document() -> PolicyDocument {
    single_statement_document(Element {
        negated: false,
        patterns: vec!["*".to_owned()],
    })
}

/// An identity policy that allows nothing: `NotAction` `*` applies to no action. It stands in
/// for a caller without identity policies, since a vector without `identity` means one that
/// allows everything.
fn allows_nothing() -> PolicyDocument {
    single_statement_document(Element {
        negated: true,
        patterns: vec!["*".to_owned()],
    })
}

fn single_statement_document(action: Element) -> PolicyDocument {
    PolicyDocument {
        version: Some("2012-10-17".to_owned()),
        statements: vec![StatementDocument {
            effect: Effect::Allow,
            action,
            resource: Element {
                negated: false,
                patterns: vec!["*".to_owned()],
            },
            conditions: Vec::new(),
            principal: None,
        }],
    }
}

/// The case with the same request and `document` in the vector layout.
pub fn in_vector_layout(case: &Case, document: &PolicyDocument) -> Case {
    Case {
        levels: vec![
            Level {
                policies: vec![Scp::FullAwsAccess],
            },
            Level {
                policies: vec![Scp::FullAwsAccess, Scp::Document(document.clone())],
            },
            Level {
                policies: vec![Scp::FullAwsAccess],
            },
        ],
        ..case.clone()
    }
}

/// The SCP of a case in the vector layout, if it is in that layout.
fn vector_scp(case: &Case) -> Option<&PolicyDocument> {
    match case.levels.as_slice() {
        [root, ou, account] => {
            let full = |level: &Level| level.policies == [Scp::FullAwsAccess];
            match ou.policies.as_slice() {
                [Scp::FullAwsAccess, Scp::Document(document)] if full(root) && full(account) => {
                    Some(document)
                }
                _ => None,
            }
        }
        _ => None,
    }
}

/// One decision vector line for an unsettled disagreement: `expected` is the evaluator under
/// test's answer, and `note` says that nobody has decided yet which side is right.
pub fn unsettled_vector(
    id: &str,
    case: &Case,
    ours: Decision,
    oracle: Decision,
    oracle_name: &str,
) -> Value {
    let mut vector = Map::new();
    vector.insert("id".into(), json!(id));
    match vector_scp(case) {
        Some(document) => {
            vector.insert("scp".into(), document.to_json());
        }
        None => {
            vector.insert("organization".into(), organization_json(case));
        }
    }
    if let Some(permissions) = &case.permissions {
        match permissions.identity.as_slice() {
            [] => {
                vector.insert("identity".into(), allows_nothing().to_json());
            }
            [identity] => {
                vector.insert("identity".into(), identity.to_json());
            }
            several => {
                let policies: Vec<Value> = several.iter().map(PolicyDocument::to_json).collect();
                vector.insert("identity_policies".into(), Value::Array(policies));
            }
        }
        if let Some(resource) = &permissions.resource_policy {
            vector.insert("resource_policy".into(), resource.document.to_json());
            vector.insert("resource_account".into(), json!(resource.owner.id()));
        }
    } else if let Some(owner) = other_account(case) {
        // The case asks about the SCPs alone, but a vector's resource of another account is
        // decided with every policy: its resource-based policy must grant the caller's account.
        vector.insert(
            "resource_policy".into(),
            grants_account(case.principal.account()),
        );
        vector.insert("resource_account".into(), json!(owner));
    }
    vector.insert("request".into(), request_json(case));
    vector.insert("expected".into(), json!(spelled(ours)));
    vector.insert(
        "why".into(),
        json!(format!(
            "unsettled: `expected` is scpcheck's evaluator's answer, {oracle_name} answers \
             {theirs}; decide from AWS's documentation which is right before adding this to a \
             vector file",
            theirs = spelled(oracle)
        )),
    );
    Value::Object(vector)
}

/// The account the case's resource ARN names, when that is not the caller's.
fn other_account(case: &Case) -> Option<&str> {
    arn_account(&case.resource).filter(|account| *account != case.principal.account())
}

/// A resource-based policy that grants everything to every principal of `account` that its
/// identity policies allow.
fn grants_account(account: &str) -> Value {
    json!({
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Principal": {"AWS": account}, "Action": "*", "Resource": "*"}
        ]
    })
}

fn spelled(decision: Decision) -> &'static str {
    match decision {
        Decision::Allow => "Allow",
        Decision::Deny => "Deny",
    }
}

fn request_json(case: &Case) -> Value {
    let mut request = Map::new();
    if case.principal != Principal::Member || case.permissions.is_some() {
        request.insert("principal".into(), json!(case.principal.arn()));
    }
    request.insert("action".into(), json!(case.action));
    request.insert("resource".into(), json!(case.resource));
    // A vector's request carries the principal's `aws:PrincipalArn` and `aws:PrincipalAccount`
    // unless its context sets them or gives them as `null`; the case had only what it lists.
    let mut context = case.context_json();
    for key in ["aws:PrincipalArn", "aws:PrincipalAccount"] {
        let listed = context.keys().any(|name| name.eq_ignore_ascii_case(key));
        if !listed {
            context.insert(key.into(), Value::Null);
        }
    }
    request.insert("context".into(), Value::Object(context));
    Value::Object(request)
}

fn organization_json(case: &Case) -> Value {
    let levels = case
        .levels
        .iter()
        .enumerate()
        .map(|(index, level)| {
            let policies: Vec<Value> = level
                .policies
                .iter()
                .map(|scp| match scp {
                    Scp::FullAwsAccess => json!("FullAWSAccess"),
                    Scp::Document(document) => document.to_json(),
                })
                .collect();
            json!({"target": case.level_id(index), "scps": policies})
        })
        .collect();
    Value::Array(levels)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::case::{KeyValue, Permissions, ResourcePolicyDocument};
    use crate::principals::{Account, PrincipalDocument, PrincipalValues};

    fn document() -> PolicyDocument {
        PolicyDocument {
            version: Some("2012-10-17".into()),
            statements: vec![StatementDocument {
                effect: Effect::Deny,
                action: Element {
                    negated: false,
                    patterns: vec!["*".into()],
                },
                resource: Element {
                    negated: false,
                    patterns: vec!["*".into()],
                },
                conditions: Vec::new(),
                principal: None,
            }],
        }
    }

    fn case() -> Case {
        Case {
            levels: vec![Level {
                policies: vec![Scp::Document(document())],
            }],
            principal: Principal::ServiceLinkedRole,
            action: "s3:GetObject".into(),
            resource: "*".into(),
            context: vec![("aws:TagKeys".into(), KeyValue::Multi(vec!["a".into()]))],
            permissions: None,
        }
    }

    #[test]
    fn vector_layout_is_written_with_scp() {
        let case = in_vector_layout(&case(), &document());
        let vector = unsettled_vector("v1", &case, Decision::Allow, Decision::Deny, "oracle 1");
        assert_eq!(vector["scp"], document().to_json());
        assert_eq!(vector["expected"], "Allow");
        assert_eq!(
            vector["request"]["principal"],
            Principal::ServiceLinkedRole.arn()
        );
        assert_eq!(vector["request"]["context"]["aws:TagKeys"], json!(["a"]));
        let why = vector["why"].as_str().unwrap();
        assert!(
            why.starts_with("unsettled: ") && why.contains("answers Deny"),
            "{why}"
        );
        let line = vector.to_string();
        let parsed = scpcheck_policy::vectors::parse_vectors("unsettled.jsonl", &line).unwrap();
        assert_eq!(parsed[0].expected, Decision::Allow);
    }

    #[test]
    fn other_layouts_keep_the_organization() {
        let vector = unsettled_vector("v2", &case(), Decision::Deny, Decision::Allow, "oracle 1");
        assert!(vector.get("scp").is_none());
        assert_eq!(vector["organization"][0]["target"], "r-exam");
    }

    #[test]
    fn cases_over_every_policy_type_carry_their_policies() {
        let mut resource_policy = full_aws_access_document();
        resource_policy.statements[0].principal = Some(PrincipalDocument {
            negated: false,
            values: PrincipalValues::Everyone,
        });
        let case = Case {
            principal: Principal::ReaderSession(Account::Other),
            permissions: Some(Permissions {
                identity: Vec::new(),
                resource_policy: Some(ResourcePolicyDocument {
                    document: resource_policy,
                    owner: Account::Member,
                }),
            }),
            ..in_vector_layout(&case(), &full_aws_access_document())
        };
        let vector = unsettled_vector("v3", &case, Decision::Deny, Decision::Allow, "oracle 1");
        assert_eq!(vector["scp"], full_aws_access_document().to_json());
        assert_eq!(vector["identity"], allows_nothing().to_json());
        assert_eq!(vector["resource_policy"]["Statement"][0]["Principal"], "*");
        assert_eq!(vector["resource_account"], "111122223333");
        assert_eq!(
            vector["request"]["principal"],
            "arn:aws:sts::444455556666:assumed-role/Reader/carol"
        );
        let line = vector.to_string();
        let parsed = scpcheck_policy::vectors::parse_vectors("unsettled.jsonl", &line).unwrap();
        assert_eq!(parsed[0].expected, Decision::Deny);
        let outcome = scpcheck_policy::vectors::evaluate_vector(&parsed[0]);
        assert_eq!(outcome.decision, Decision::Deny, "{}", outcome.explanation);
    }

    #[test]
    fn a_resource_of_another_account_is_granted_to_the_callers_account() {
        let case = Case {
            principal: Principal::Member,
            resource: "arn:aws:sns:eu-central-1:444455556666:topic-a".into(),
            ..in_vector_layout(&case(), &document())
        };
        let vector = unsettled_vector("v4", &case, Decision::Deny, Decision::Allow, "oracle 1");
        assert_eq!(vector["resource_account"], "444455556666");
        assert_eq!(
            vector["resource_policy"]["Statement"][0]["Principal"]["AWS"],
            Principal::Member.account()
        );
        assert!(vector.get("identity").is_none());
        let line = vector.to_string();
        let parsed = scpcheck_policy::vectors::parse_vectors("unsettled.jsonl", &line).unwrap();
        // The SCP denies everything; with it allowing, the resource-based policy would grant.
        let outcome = scpcheck_policy::vectors::evaluate_vector(&parsed[0]);
        assert_eq!(outcome.decision, Decision::Deny, "{}", outcome.explanation);
        let allowing = unsettled_vector(
            "v5",
            &Case {
                ..in_vector_layout(&case, &full_aws_access_document())
            },
            Decision::Allow,
            Decision::Deny,
            "oracle 1",
        );
        let parsed =
            scpcheck_policy::vectors::parse_vectors("unsettled.jsonl", &allowing.to_string())
                .unwrap();
        let outcome = scpcheck_policy::vectors::evaluate_vector(&parsed[0]);
        assert_eq!(outcome.decision, Decision::Allow, "{}", outcome.explanation);
    }
}
