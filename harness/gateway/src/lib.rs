//! The enforcement point in front of an AWS emulator, playing AWS's authorization layer.
//!
//! No freely available emulator enforces service control policies, so the [`Gateway`] stands
//! in front of one (moto) and does it: it verifies each request's SigV4 signature, turns the
//! wire request back into a catalogue operation and its parameters, decides it against the
//! organization's SCPs with the reference evaluator, and either forwards it unchanged or
//! answers with the service's own access-denied error. It serves HTTP and HTTPS, so
//! `aws:SecureTransport` is real, and it fails closed: what it cannot authenticate, parse or
//! evaluate is refused, never forwarded.
//!
//! STS and Organizations calls are forwarded without evaluation. The keys a successful
//! `AssumeRole` hands out become known to the gateway, and every successful change to the
//! organization makes the gateway read the SCPs again.

mod auth;
mod config;
mod credentials;
mod decide;
mod denial;
mod ec2_state;
mod emulator;
mod gateway;
mod handler;
mod org_fetch;
mod resolve;
mod scp_cache;
mod server;
mod service;
pub mod sigv4;
#[cfg(test)]
mod testing;
mod tls;
mod upstream;
mod wire;
mod xml;

pub use config::{Credentials, GatewayConfig};
pub use decide::GatewayDecision;
pub use emulator::EmulatorError;
pub use gateway::{Gateway, GatewayError};
pub use tls::TlsError;
pub use upstream::UpstreamError;
