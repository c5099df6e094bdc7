//! Reading a decision out of the target's answer.

use aws_sdk_s3::config::http::HttpResponse;
use aws_sdk_s3::error::{ProvideErrorMetadata, SdkError};
use scpcheck_report::{Decision, StateCheck, TargetDetail};

/// The error codes with which AWS services refuse a call for lack of authorization.
pub const ACCESS_DENIED_CODES: &[&str] = &[
    "AccessDenied",
    "AccessDeniedException",
    "UnauthorizedOperation",
];

/// What the target did with one call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome {
    /// Allowed, denied, or no decision.
    pub decision: Decision,
    /// The code, failure and state check.
    pub detail: TargetDetail,
}

impl Outcome {
    /// An allowed call that succeeded.
    pub fn allowed() -> Outcome {
        Outcome {
            decision: Decision::Allow,
            detail: TargetDetail::default(),
        }
    }

    /// No decision, for `reason`.
    pub fn error(reason: impl Into<String>) -> Outcome {
        Outcome {
            decision: Decision::Error,
            detail: TargetDetail {
                failure: Some(reason.into()),
                ..TargetDetail::default()
            },
        }
    }

    /// Records the state check of the created resource.
    pub fn with_state(mut self, state: Option<StateCheck>) -> Outcome {
        self.detail.state = state;
        self
    }

    /// Classifies a failed SDK call. An access-denied code is a deny. Any other answer from the
    /// service came after authorization, so the call was allowed and the failure is recorded
    /// beside it, except the gateway's refusals of unauthenticated requests, which say nothing
    /// about authorization. No answer at all is an error.
    pub fn from_sdk_error<E>(error: &SdkError<E, HttpResponse>) -> Outcome
    where
        E: ProvideErrorMetadata + std::error::Error + 'static,
    {
        match error {
            SdkError::ServiceError(service) => {
                let status = service.raw().status().as_u16();
                let code = service.err().code().map(str::to_string);
                let message = service.err().message().unwrap_or_default().to_string();
                let outcome = from_service_answer(status, code, message);
                if outcome.decision == Decision::Allow && answered_by_gateway(service.raw()) {
                    // The gateway refused the call before any decision (it could not read the
                    // emulator's state, say): the answer says nothing about authorization.
                    return Outcome {
                        decision: Decision::Error,
                        ..outcome
                    };
                }
                outcome
            }
            SdkError::ResponseError(response) => {
                let status = response.raw().status().as_u16();
                from_service_answer(status, None, "the answer could not be read".to_string())
            }
            other => Outcome::error(describe(other)),
        }
    }
}

fn from_service_answer(status: u16, code: Option<String>, message: String) -> Outcome {
    let denied = code
        .as_deref()
        .is_some_and(|code| ACCESS_DENIED_CODES.contains(&code));
    let unauthenticated = code.as_deref().is_some_and(is_authentication_code);
    let decision = if denied {
        Decision::Deny
    } else if unauthenticated {
        Decision::Error
    } else {
        Decision::Allow
    };
    let failure = if denied {
        None
    } else if message.trim().is_empty() {
        // moto answers a call it does not implement this way.
        Some(format!(
            "HTTP {status}, with no error message in the answer"
        ))
    } else {
        Some(format!("HTTP {status}: {message}"))
    };
    Outcome {
        decision,
        detail: TargetDetail {
            code: Some(code.unwrap_or_else(|| format!("HTTP {status}"))),
            failure,
            state: None,
        },
    }
}

/// The prefix of the request ids of answers the gateway gives itself instead of forwarding.
const GATEWAY_REQUEST_ID_PREFIX: &str = "scpcheck-gateway-";

fn answered_by_gateway(response: &HttpResponse) -> bool {
    ["x-amzn-requestid", "x-amz-request-id"].iter().any(|name| {
        response
            .headers()
            .get(*name)
            .is_some_and(|id| id.starts_with(GATEWAY_REQUEST_ID_PREFIX))
    })
}

fn is_authentication_code(code: &str) -> bool {
    matches!(
        code,
        "SignatureDoesNotMatch"
            | "AuthFailure"
            | "UnrecognizedClientException"
            | "InvalidClientTokenId"
            | "IncompleteSignature"
            | "MissingAuthenticationToken"
            | "InvalidAccessKeyId"
            | "RequestExpired"
    )
}

/// A failed SDK call in one line for a person: the status, error code and message of the
/// answer, or the error with its causes when there was no answer to read.
pub fn describe_sdk_error<E>(error: &SdkError<E, HttpResponse>) -> String
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
{
    match error {
        SdkError::ServiceError(service) => {
            let status = service.raw().status().as_u16();
            match (service.err().code(), service.err().message()) {
                (Some(code), Some(message)) => format!("HTTP {status}: {code}: {message}"),
                (Some(code), None) => format!("HTTP {status}: {code}"),
                (None, Some(message)) => format!("HTTP {status}: {message}"),
                (None, None) => format!("HTTP {status}, with no AWS error in the answer"),
            }
        }
        SdkError::ResponseError(response) => {
            let status = response.raw().status().as_u16();
            match std::error::Error::source(error) {
                Some(cause) => format!(
                    "HTTP {status}, an answer that could not be read: {cause}",
                    cause = describe(cause)
                ),
                None => format!("HTTP {status}, an answer that could not be read"),
            }
        }
        other => describe(other),
    }
}

/// An error followed by its causes, joined by colons.
pub(crate) fn describe(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(inner) = source {
        text.push_str(": ");
        text.push_str(&inner.to_string());
        source = inner.source();
    }
    text
}

#[cfg(test)]
mod tests {
    use aws_sdk_ec2::operation::create_volume::CreateVolumeError;
    use aws_sdk_s3::error::ErrorMetadata;
    use aws_sdk_s3::primitives::SdkBody;

    use super::*;

    const HTML_PAGE: &str = "<!doctype html>\n<title>500 Internal Server Error</title>\n";

    fn answer(status: u16, body: &str) -> HttpResponse {
        HttpResponse::new(status.try_into().unwrap(), SdkBody::from(body))
    }

    #[test]
    fn a_service_error_reads_as_its_status_code_and_message() {
        let metadata = ErrorMetadata::builder()
            .code("InvalidParameterValue")
            .message("size must be positive")
            .build();
        let error = SdkError::service_error(
            CreateVolumeError::generic(metadata),
            answer(400, "<Response/>"),
        );

        assert_eq!(
            describe_sdk_error(&error),
            "HTTP 400: InvalidParameterValue: size must be positive"
        );
    }

    #[test]
    fn an_answer_without_an_aws_error_is_not_dumped() {
        let unhandled = CreateVolumeError::generic(ErrorMetadata::builder().build());
        let error = SdkError::service_error(unhandled, answer(500, HTML_PAGE));

        assert_eq!(
            describe_sdk_error(&error),
            "HTTP 500, with no AWS error in the answer"
        );
    }

    #[test]
    fn a_failure_without_a_message_says_so() {
        let outcome = from_service_answer(500, None, String::new());
        assert_eq!(outcome.decision, Decision::Allow);
        assert_eq!(outcome.detail.code.as_deref(), Some("HTTP 500"));
        assert_eq!(
            outcome.detail.failure.as_deref(),
            Some("HTTP 500, with no error message in the answer")
        );
        let with_message = from_service_answer(400, Some("Bad".into()), "no such size".into());
        assert_eq!(
            with_message.detail.failure.as_deref(),
            Some("HTTP 400: no such size")
        );
    }

    #[test]
    fn an_unreadable_answer_gives_its_status_and_why() {
        let error: SdkError<CreateVolumeError, HttpResponse> =
            SdkError::response_error("malformed error body", answer(500, HTML_PAGE));

        assert_eq!(
            describe_sdk_error(&error),
            "HTTP 500, an answer that could not be read: malformed error body"
        );
    }

    #[test]
    fn no_answer_gives_the_error_and_its_causes() {
        let error: SdkError<CreateVolumeError, HttpResponse> =
            SdkError::timeout_error("no answer within 60 s");

        assert_eq!(
            describe_sdk_error(&error),
            "request has timed out: no answer within 60 s"
        );
    }
}
