//! The JSON lines exchanged with the runner script: one question per line in, one answer per
//! line out, matched by id.

use scpcheck_policy::Decision;
use serde::{Deserialize, Serialize};

/// One authorization question for the oracle.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OracleRequest {
    /// The calling principal's ARN.
    pub principal: String,
    /// The account that owns the resource; for a question about the SCPs alone, the
    /// principal's.
    pub account: String,
    /// The action, `service:Action`.
    pub action: String,
    /// The resource ARN or `*`.
    pub resource: String,
    /// Condition keys: a string, or an array of strings for a multi-valued key.
    pub context: serde_json::Map<String, serde_json::Value>,
    /// The SCP levels, root first.
    pub levels: Vec<OracleLevel>,
    /// The principal's identity policies and the resource's policy; `None` asks about the SCPs
    /// alone, which the runner answers for a principal whose identity policy allows
    /// everything.
    #[serde(flatten)]
    pub policies: Option<OraclePermissions>,
}

/// The policies besides SCPs of a question about every policy type, with the runner's names.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct OraclePermissions {
    /// The principal's identity policies, possibly none.
    pub identity_policies: Vec<OraclePolicy>,
    /// The resource-based policy of the requested resource, if it has one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub resource_policy: Option<serde_json::Value>,
}

/// One level of the organization with its SCPs.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OracleLevel {
    /// The level's identifier.
    pub id: String,
    /// The SCPs attached to it.
    pub policies: Vec<OraclePolicy>,
}

/// A named policy document.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OraclePolicy {
    /// The policy name.
    pub name: String,
    /// The policy document.
    pub policy: serde_json::Value,
}

/// The request with its id, as written to the runner.
#[derive(Serialize)]
pub(crate) struct Envelope<'a> {
    pub(crate) id: u64,
    #[serde(flatten)]
    pub(crate) request: &'a OracleRequest,
}

/// One line the runner writes.
#[derive(Debug, Deserialize)]
#[serde(untagged)]
pub(crate) enum Line {
    Hello { hello: Hello },
    Answer(RawAnswer),
}

/// The runner's greeting.
#[derive(Debug, Clone, Deserialize)]
pub(crate) struct Hello {
    pub(crate) node: String,
    pub(crate) simulate: String,
}

/// An answer as written by the runner.
#[derive(Debug, Deserialize)]
pub(crate) struct RawAnswer {
    pub(crate) id: Option<u64>,
    #[serde(default)]
    pub(crate) result: Option<String>,
    #[serde(default)]
    pub(crate) control: Option<String>,
    #[serde(default)]
    pub(crate) error: Option<String>,
    /// `all` for the answer to a question about every policy type.
    #[serde(default)]
    pub(crate) scope: Option<String>,
}

/// What the oracle made of a question.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum OracleAnswer {
    /// The SCP layer's decision.
    Scp(Decision),
    /// The decision of every policy type together, for a question with
    /// [`OracleRequest::policies`].
    Overall(Decision),
    /// Something other than the SCPs denied the request even without any SCP (a service's own
    /// authorization rules): the answer says nothing about the SCP layer.
    OutsideScpLayer {
        /// The result without SCPs, e.g. `ImplicitlyDenied`.
        control: String,
    },
    /// The oracle could not evaluate the question.
    Error(String),
}

impl OracleAnswer {
    /// The oracle's decision, for an answer that has one.
    pub fn decision(&self) -> Option<Decision> {
        match self {
            OracleAnswer::Scp(decision) | OracleAnswer::Overall(decision) => Some(*decision),
            OracleAnswer::OutsideScpLayer { .. } | OracleAnswer::Error(_) => None,
        }
    }
}

impl RawAnswer {
    /// Reads the runner's result names: `Allowed`, `ExplicitlyDenied`, `ImplicitlyDenied`.
    /// `overall` says whether the question was about every policy type, which the answer must
    /// confirm with its `scope`.
    pub(crate) fn into_answer(self, overall: bool) -> Result<OracleAnswer, String> {
        if let Some(error) = self.error {
            return Ok(OracleAnswer::Error(error));
        }
        let answered_overall = self.scope.as_deref() == Some("all");
        if answered_overall != overall {
            return Err(format!(
                "an answer of scope `{scope}` to a question {about}",
                scope = self.scope.as_deref().unwrap_or("scp"),
                about = if overall {
                    "about every policy type"
                } else {
                    "about the SCPs alone"
                }
            ));
        }
        let Some(result) = self.result else {
            return Err("an answer without `result`".to_owned());
        };
        let decision = match result.as_str() {
            "Allowed" => Decision::Allow,
            "ExplicitlyDenied" | "ImplicitlyDenied" => Decision::Deny,
            other => return Err(format!("unknown result `{other}`")),
        };
        if overall {
            return Ok(OracleAnswer::Overall(decision));
        }
        match self.control {
            Some(control) if control != "Allowed" => Ok(OracleAnswer::OutsideScpLayer { control }),
            Some(_) => Ok(OracleAnswer::Scp(decision)),
            None => Err("an answer without `control`".to_owned()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(line: &str, overall: bool) -> Result<OracleAnswer, String> {
        match serde_json::from_str::<Line>(line).unwrap() {
            Line::Answer(raw) => raw.into_answer(overall),
            Line::Hello { .. } => panic!("not an answer: {line}"),
        }
    }

    fn answer(line: &str) -> Result<OracleAnswer, String> {
        read(line, false)
    }

    #[test]
    fn reads_results() {
        let allowed = r#"{"id": 1, "result": "Allowed", "control": "Allowed"}"#;
        assert_eq!(answer(allowed), Ok(OracleAnswer::Scp(Decision::Allow)));
        let denied = r#"{"id": 1, "result": "ImplicitlyDenied", "control": "Allowed"}"#;
        assert_eq!(answer(denied), Ok(OracleAnswer::Scp(Decision::Deny)));
        let outside = r#"{"id": 1, "result": "ImplicitlyDenied", "control": "ImplicitlyDenied"}"#;
        assert!(matches!(
            answer(outside),
            Ok(OracleAnswer::OutsideScpLayer { .. })
        ));
        let error = r#"{"id": 1, "error": "boom"}"#;
        assert_eq!(answer(error), Ok(OracleAnswer::Error("boom".into())));
        assert!(answer(r#"{"id": 1}"#).is_err());
        assert!(answer(r#"{"id": 1, "result": "Allowed"}"#).is_err());
    }

    #[test]
    fn reads_overall_results() {
        let denied = r#"{"id": 2, "result": "ImplicitlyDenied", "scope": "all"}"#;
        assert_eq!(
            read(denied, true),
            Ok(OracleAnswer::Overall(Decision::Deny))
        );
        let allowed = r#"{"id": 2, "result": "Allowed", "scope": "all"}"#;
        assert_eq!(
            read(allowed, true),
            Ok(OracleAnswer::Overall(Decision::Allow))
        );
        assert!(read(allowed, false).is_err());
        let scp = r#"{"id": 2, "result": "Allowed", "control": "Allowed"}"#;
        assert!(read(scp, true).is_err());
    }

    #[test]
    fn questions_about_the_scps_alone_carry_no_other_policies() {
        let mut request = OracleRequest {
            principal: "arn:aws:iam::111122223333:role/Member".into(),
            account: "111122223333".into(),
            action: "s3:GetObject".into(),
            resource: "*".into(),
            context: serde_json::Map::new(),
            levels: Vec::new(),
            policies: None,
        };
        let line = serde_json::to_value(&request).unwrap();
        assert!(line.get("identityPolicies").is_none(), "{line}");
        request.policies = Some(OraclePermissions {
            identity_policies: Vec::new(),
            resource_policy: Some(serde_json::json!({"Statement": []})),
        });
        let line = serde_json::to_value(&request).unwrap();
        assert_eq!(line["identityPolicies"], serde_json::json!([]));
        assert_eq!(line["resourcePolicy"]["Statement"], serde_json::json!([]));
    }

    #[test]
    fn reads_the_greeting() {
        let line = r#"{"hello": {"node": "v20.1.0", "simulate": "0.1.173"}}"#;
        assert!(matches!(
            serde_json::from_str::<Line>(line).unwrap(),
            Line::Hello { .. }
        ));
    }
}
