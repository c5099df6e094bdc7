//! One request, start to end: authenticate, route by service, decide, then forward or refuse.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

use bytes::Bytes;
use http::{Request, Response};
use http_body_util::{BodyExt, Full, Limited};
use hyper::body::Incoming;
use scpcheck_policy::Decision;
use scpcheck_scenario::catalogue::CallEnv;
use scpcheck_scenario::{ParamValue, TRANSPORT_PARAM};
use time::OffsetDateTime;

use crate::auth;
use crate::credentials::{CredentialStore, Identity};
use crate::decide::{self, GatewayDecision, Verdict};
use crate::denial::{Refusal, RefusalKind, refusal_response};
use crate::ec2_state::Ec2State;
use crate::emulator::{Emulator, EmulatorError};
use crate::resolve;
use crate::scp_cache::ScpCache;
use crate::service::Service;
use crate::sigv4::{self, RequestParts};
use crate::upstream::Upstream;
use crate::wire::{self, ParsedCall, WireRequest, organizations, sts};

/// The largest request body the gateway reads.
const MAX_REQUEST_BODY: usize = 64 * 1024 * 1024;

/// What every request handler shares.
pub(crate) struct Shared {
    /// The region the gateway was configured for; Organizations calls are signed for it.
    pub region: String,
    /// The management account's identity, used to read the organization.
    pub management: Identity,
    /// The keys the gateway accepts.
    pub credentials: CredentialStore,
    /// The SCPs in force.
    pub scps: ScpCache,
    /// Signed calls to the emulator.
    pub emulator: Emulator,
    /// Forwarding to the emulator.
    pub upstream: Upstream,
    /// Every decision made, in order.
    pub decisions: Mutex<Vec<GatewayDecision>>,
    /// Numbers the gateway's own request ids.
    pub request_counter: AtomicU64,
}

impl Shared {
    fn next_request_id(&self) -> String {
        let number = self.request_counter.fetch_add(1, Ordering::Relaxed);
        format!("scpcheck-gateway-{number:08}")
    }

    fn record(&self, decision: GatewayDecision) {
        let mut decisions = self
            .decisions
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        decisions.push(decision);
    }
}

/// A request whose body has been read.
struct ReadRequest {
    parts: http::request::Parts,
    body: Bytes,
    secure_transport: bool,
    request_id: String,
}

impl ReadRequest {
    fn wire(&self) -> WireRequest<'_> {
        WireRequest {
            method: &self.parts.method,
            raw_path: self.parts.uri.path(),
            raw_query: self.parts.uri.query(),
            headers: &self.parts.headers,
            body: &self.body,
        }
    }

    fn signed_parts(&self) -> RequestParts<'_> {
        RequestParts {
            method: self.parts.method.as_str(),
            raw_path: self.parts.uri.path(),
            raw_query: self.parts.uri.query(),
            headers: &self.parts.headers,
        }
    }

    fn guessed_service(&self) -> Service {
        Service::guess(self.parts.uri.path(), &self.parts.headers, &self.body)
    }

    fn refuse(&self, service: Service, refusal: &Refusal) -> Response<Full<Bytes>> {
        tracing::debug!(
            request_id = %self.request_id,
            service = service.signing_name(),
            kind = ?refusal.kind,
            message = %refusal.message,
            "refused"
        );
        refusal_response(service, refusal, &self.request_id)
    }
}

/// Handles one request; every failure becomes a refusal in the service's shape.
pub(crate) async fn handle(
    shared: Arc<Shared>,
    request: Request<Incoming>,
    secure_transport: bool,
) -> Response<Full<Bytes>> {
    let (parts, body) = request.into_parts();
    let request_id = shared.next_request_id();
    let body = match Limited::new(body, MAX_REQUEST_BODY).collect().await {
        Ok(collected) => collected.to_bytes(),
        Err(error) => {
            let service = Service::guess(parts.uri.path(), &parts.headers, b"");
            let refusal = Refusal::new(
                RefusalKind::InvalidParameter,
                format!("cannot read the request body: {error}"),
            );
            return refusal_response(service, &refusal, &request_id);
        }
    };
    let incoming = ReadRequest {
        parts,
        body,
        secure_transport,
        request_id,
    };

    match route(&shared, &incoming).await {
        Ok(response) => response,
        Err((service, refusal)) => incoming.refuse(service, &refusal),
    }
}

type Refused = (Service, Refusal);

async fn route(shared: &Shared, incoming: &ReadRequest) -> Result<Response<Full<Bytes>>, Refused> {
    let guessed = incoming.guessed_service();
    let authorization =
        sigv4::authorization_of(&incoming.parts.headers, incoming.parts.uri.query())
            .map_err(|error| (guessed, auth::refusal_for(&error)))?;
    let service = Service::from_signing_name(&authorization.scope.service).ok_or_else(|| {
        let message = format!(
            "the gateway does not serve service `{name}`",
            name = authorization.scope.service
        );
        (
            guessed,
            Refusal::new(RefusalKind::UnknownOperation, message),
        )
    })?;

    let identity = auth::authenticate(
        &incoming.signed_parts(),
        &incoming.body,
        &authorization,
        &shared.credentials,
        OffsetDateTime::now_utc(),
    )
    .map_err(|refusal| (service, refusal))?;
    let region = authorization.scope.region.as_str();

    match service {
        Service::Sts => forward_sts(shared, incoming, &identity).await,
        Service::Organizations => forward_organizations(shared, incoming, &identity).await,
        _ => evaluate_and_forward(shared, incoming, service, &identity, region).await,
    }
    .map_err(|refusal| (service, refusal))
}

async fn forward(shared: &Shared, incoming: &ReadRequest) -> Result<Response<Bytes>, Refusal> {
    shared
        .upstream
        .forward(&incoming.parts, incoming.body.clone())
        .await
        .map_err(|error| {
            tracing::error!(request_id = %incoming.request_id, %error, "forwarding failed");
            internal(format!(
                "the gateway could not forward the request: {error}"
            ))
        })
}

fn internal(message: String) -> Refusal {
    Refusal::new(RefusalKind::Internal, message)
}

/// STS is forwarded unevaluated; a successful `AssumeRole` registers the keys it hands out.
async fn forward_sts(
    shared: &Shared,
    incoming: &ReadRequest,
    identity: &Identity,
) -> Result<Response<Full<Bytes>>, Refusal> {
    let assume_role = sts::assume_role_request(&incoming.wire());
    let response = forward(shared, incoming).await?;

    if let Some(request) = assume_role.filter(|_| response.status().is_success()) {
        let session = sts::assumed_role(&request, response.body())
            .and_then(|assumed| assumed.identity().map_err(|error| error.to_string()));
        match session {
            Ok(session) => {
                tracing::debug!(
                    caller = %identity.caller_arn,
                    session = %session.caller_arn,
                    "registered assumed-role credentials"
                );
                shared.credentials.register(session);
            }
            Err(reason) => {
                tracing::error!(%reason, "cannot register the credentials of an assumed role");
                return Err(internal(format!(
                    "the gateway could not register the assumed role's credentials: {reason}"
                )));
            }
        }
    }
    Ok(response.map(Full::new))
}

/// Organizations is forwarded unevaluated; after a successful change the SCPs are read again
/// before the caller hears back, so its next call sees them.
async fn forward_organizations(
    shared: &Shared,
    incoming: &ReadRequest,
    identity: &Identity,
) -> Result<Response<Full<Bytes>>, Refusal> {
    let response = forward(shared, incoming).await?;
    if response.status().is_success() && organizations::is_write(&incoming.parts.headers) {
        tracing::debug!(
            caller = %identity.caller_arn,
            operation = organizations::operation(&incoming.parts.headers).unwrap_or("unknown"),
            "organization changed; reloading scps"
        );
        shared
            .scps
            .refresh(&shared.emulator, &shared.management, &shared.region)
            .await;
    }
    Ok(response.map(Full::new))
}

async fn evaluate_and_forward(
    shared: &Shared,
    incoming: &ReadRequest,
    service: Service,
    identity: &Identity,
    region: &str,
) -> Result<Response<Full<Bytes>>, Refusal> {
    let call = wire::parse(service, &incoming.wire())?;
    let ec2 = Ec2State {
        emulator: &shared.emulator,
        identity,
        region,
    };
    let facts = match gather_facts(&call, &ec2).await {
        Ok(facts) => facts,
        Err(EmulatorError::Rejected { response, code, .. }) => {
            // The resource the call names does not exist (or cannot be read) in the emulator;
            // its own answer is the honest one, and nothing was forwarded.
            tracing::debug!(request_id = %incoming.request_id, %code, "lookup refused by emulator");
            return Ok((*response).map(Full::new));
        }
        Err(error) => {
            tracing::error!(request_id = %incoming.request_id, %error, "lookup failed");
            return Err(internal(format!(
                "the gateway could not read emulator state: {error}"
            )));
        }
    };

    let env = CallEnv {
        region: region.to_owned(),
        account_id: identity.account_id.clone(),
        principal_arn: identity.principal_arn.clone(),
        secure_transport: incoming.secure_transport,
        ebs_encryption_by_default: facts.ebs_encryption_by_default,
    };
    let verdict = decide_call(shared, &call, &facts.parameter_sets, &env)?;
    record(shared, incoming, service, identity, &call, &facts, &verdict);

    if verdict.decision == Decision::Deny {
        let message = decide::denial_message(&identity.caller_arn, call.operation, &verdict);
        return Err(Refusal::new(RefusalKind::AccessDenied, message));
    }
    Ok(forward(shared, incoming).await?.map(Full::new))
}

/// The emulator facts a decision needs.
struct Facts {
    parameter_sets: Vec<scpcheck_scenario::Params>,
    ebs_encryption_by_default: bool,
}

async fn gather_facts(call: &ParsedCall, ec2: &Ec2State<'_>) -> Result<Facts, EmulatorError> {
    let parameter_sets = resolve::parameter_sets(call, ec2).await?;
    let ebs_encryption_by_default = if call.needs_ebs_default() {
        ec2.ebs_encryption_by_default().await?
    } else {
        false
    };
    Ok(Facts {
        parameter_sets,
        ebs_encryption_by_default,
    })
}

fn decide_call(
    shared: &Shared,
    call: &ParsedCall,
    parameter_sets: &[scpcheck_scenario::Params],
    env: &CallEnv,
) -> Result<Verdict, Refusal> {
    let scps = shared.scps.current().for_account(&env.account_id);
    let verdict = decide::decide(&scps, call.operation, parameter_sets, env)
        .map_err(|error| Refusal::new(RefusalKind::InvalidParameter, error.to_string()))?;
    if verdict.denied.is_none() && verdict.decision == Decision::Deny {
        tracing::error!(
            operation = call.operation,
            explanation = %verdict.explanation,
            "denied because the scps are unknown"
        );
    }
    Ok(verdict)
}

fn record(
    shared: &Shared,
    incoming: &ReadRequest,
    service: Service,
    identity: &Identity,
    call: &ParsedCall,
    facts: &Facts,
    verdict: &Verdict,
) {
    let mut params = facts.parameter_sets.first().cloned().unwrap_or_default();
    let transport = if incoming.secure_transport {
        "https"
    } else {
        "http"
    };
    params.insert(
        TRANSPORT_PARAM.to_owned(),
        ParamValue::Str(transport.to_owned()),
    );

    tracing::debug!(
        request_id = %incoming.request_id,
        service = service.signing_name(),
        operation = call.operation,
        principal = %identity.principal_arn,
        decision = %verdict.decision,
        "decided"
    );
    shared.record(GatewayDecision {
        operation: call.operation.to_owned(),
        params,
        caller_arn: identity.caller_arn.clone(),
        principal_arn: identity.principal_arn.clone(),
        account_id: identity.account_id.clone(),
        secure_transport: incoming.secure_transport,
        decision: verdict.decision,
        explanation: verdict.explanation.clone(),
    });
}
