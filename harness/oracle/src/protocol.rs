//! The JSON lines exchanged with the runner script: one question per line in, one answer per
//! line out, matched by id.

use scpcheck_policy::Decision;
use serde::{Deserialize, Serialize};

/// One authorization question for the oracle.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OracleRequest {
    /// The calling principal's ARN.
    pub principal: String,
    /// The principal's account, which is also the resource's account.
    pub account: String,
    /// The action, `service:Action`.
    pub action: String,
    /// The resource ARN or `*`.
    pub resource: String,
    /// Condition keys: a string, or an array of strings for a multi-valued key.
    pub context: serde_json::Map<String, serde_json::Value>,
    /// The SCP levels, root first.
    pub levels: Vec<OracleLevel>,
}

/// One level of the organization with its SCPs.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OracleLevel {
    /// The level's identifier.
    pub id: String,
    /// The SCPs attached to it.
    pub policies: Vec<OraclePolicy>,
}

/// A named SCP document.
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
}

/// What the oracle made of a question.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum OracleAnswer {
    /// The SCP layer's decision.
    Scp(Decision),
    /// Something other than the SCPs denied the request even without any SCP (a service's own
    /// authorization rules): the answer says nothing about the SCP layer.
    OutsideScpLayer {
        /// The result without SCPs, e.g. `ImplicitlyDenied`.
        control: String,
    },
    /// The oracle could not evaluate the question.
    Error(String),
}

impl RawAnswer {
    /// Reads the runner's result names: `Allowed`, `ExplicitlyDenied`, `ImplicitlyDenied`.
    pub(crate) fn into_answer(self) -> Result<OracleAnswer, String> {
        if let Some(error) = self.error {
            return Ok(OracleAnswer::Error(error));
        }
        let (Some(result), Some(control)) = (self.result, self.control) else {
            return Err("an answer without `result` and `control`".to_owned());
        };
        if control != "Allowed" {
            return Ok(OracleAnswer::OutsideScpLayer { control });
        }
        match result.as_str() {
            "Allowed" => Ok(OracleAnswer::Scp(Decision::Allow)),
            "ExplicitlyDenied" | "ImplicitlyDenied" => Ok(OracleAnswer::Scp(Decision::Deny)),
            other => Err(format!("unknown result `{other}`")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answer(line: &str) -> Result<OracleAnswer, String> {
        match serde_json::from_str::<Line>(line).unwrap() {
            Line::Answer(raw) => raw.into_answer(),
            Line::Hello { .. } => panic!("not an answer: {line}"),
        }
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
