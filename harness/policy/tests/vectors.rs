//! Decides every decision vector in `tests/data/vectors/*.jsonl` and checks its expected answer.
//!
//! Each vector's SCP is attached to the OU holding the account, and `FullAWSAccess` to the root,
//! the OU and the account, as in a default organization. An absent identity policy means one
//! that allows everything; a present one must allow too.
#![expect(
    clippy::unwrap_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "test helpers fail the test by panicking on malformed vectors"
)]

use std::path::Path;
use std::sync::Arc;

use scpcheck_policy::{
    AttachedPolicy, Context, ContextValue, Decision, LevelKind, OrgLevel, Organization, Policy,
    Request, evaluate, evaluate_scps, scp_decision,
};
use serde_json::Value;

const MEMBER_ACCOUNT: &str = "111122223333";
const FULL_AWS_ACCESS: &str = r#"{"Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}"#;

fn policy(name: &str, json: &Value) -> Arc<Policy> {
    let text = serde_json::to_string_pretty(json).unwrap();
    Arc::new(Policy::parse(name, &text).unwrap_or_else(|errors| panic!("{name}: {errors:?}")))
}

fn level(target_id: &str, kind: LevelKind, policies: Vec<AttachedPolicy>) -> OrgLevel {
    OrgLevel {
        target_id: target_id.to_owned(),
        kind,
        policies,
    }
}

fn organization(scp: Arc<Policy>) -> Organization {
    let full = Arc::new(Policy::parse("FullAWSAccess", FULL_AWS_ACCESS).unwrap());
    let full_access = || AttachedPolicy {
        name: "FullAWSAccess".to_owned(),
        policy: Arc::clone(&full),
    };
    let vector_scp = AttachedPolicy {
        name: "vector-scp".to_owned(),
        policy: scp,
    };
    Organization {
        management_account_id: "999999999999".to_owned(),
        levels: vec![
            level("r-root", LevelKind::Root, vec![full_access()]),
            level(
                "ou-vectors",
                LevelKind::OrganizationalUnit,
                vec![full_access(), vector_scp],
            ),
            level(MEMBER_ACCOUNT, LevelKind::Account, vec![full_access()]),
        ],
    }
}

fn context(json: Option<&Value>) -> Context {
    let mut context = Context::new();
    let Some(Value::Object(entries)) = json else {
        return context;
    };
    for (key, value) in entries {
        let value = match value {
            Value::Array(items) => ContextValue::Multi(items.iter().map(text).collect()),
            other => ContextValue::Single(text(other)),
        };
        context.insert(key.clone(), value);
    }
    context
}

fn text(value: &Value) -> String {
    match value {
        Value::String(text) => text.clone(),
        other => other.to_string(),
    }
}

fn request(json: &Value) -> Request {
    let principal_arn = json["principal"].as_str().map_or_else(
        || format!("arn:aws:iam::{MEMBER_ACCOUNT}:role/VectorRole"),
        str::to_owned,
    );
    let account_id = principal_arn
        .split(':')
        .nth(4)
        .unwrap_or(MEMBER_ACCOUNT)
        .to_owned();
    Request {
        principal_arn,
        account_id,
        action: json["action"].as_str().unwrap().to_owned(),
        resource: json["resource"].as_str().unwrap().to_owned(),
        context: context(json.get("context")),
    }
}

fn check_vector(line: &str) -> Result<(), String> {
    let vector: Value = serde_json::from_str(line).unwrap();
    let id = vector["id"].as_str().unwrap();
    let organization = organization(policy(&format!("{id}-scp"), &vector["scp"]));
    let request = request(&vector["request"]);
    let expected = match vector["expected"].as_str().unwrap() {
        "Allow" => Decision::Allow,
        "Deny" => Decision::Deny,
        other => panic!("{id}: unknown expectation `{other}`"),
    };

    let scp = evaluate_scps(&organization, &request);
    assert_eq!(
        scp.decision(),
        scp_decision(&organization, &request),
        "{id}: fast path"
    );
    let (decision, explanation) = match vector.get("identity") {
        Some(identity) => {
            let identity = [policy(&format!("{id}-identity"), identity)];
            let combined = evaluate(&organization, &identity, &request);
            (combined.decision(), combined.to_string())
        }
        None => (scp.decision(), scp.to_string()),
    };
    if decision == expected {
        Ok(())
    } else {
        let why = vector["why"].as_str().unwrap_or_default();
        Err(format!(
            "{id}: expected {expected}, got {decision}\nwhy: {why}\n{explanation}"
        ))
    }
}

#[test]
fn every_vector_gets_its_expected_decision() {
    let directory = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/vectors");
    let mut files: Vec<_> = std::fs::read_dir(&directory)
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|path| {
            path.extension()
                .is_some_and(|extension| extension == "jsonl")
        })
        .collect();
    files.sort();
    assert!(
        !files.is_empty(),
        "no vector files in {}",
        directory.display()
    );

    let mut checked = 0;
    let mut failures = Vec::new();
    for file in files {
        let lines = std::fs::read_to_string(&file).unwrap();
        for line in lines.lines().filter(|line| !line.trim().is_empty()) {
            checked += 1;
            if let Err(failure) = check_vector(line) {
                failures.push(failure);
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {checked} vectors failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
