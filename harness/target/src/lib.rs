//! Targets that run cases: the emulator behind the SCP-enforcing gateway, driven with the
//! official AWS SDK crates, and the in-process reference evaluator.

pub mod calls;
pub mod emulator;
pub mod organization;
pub mod outcome;
pub mod reference;
pub mod sdk;
pub mod session;

pub use emulator::{MOTO_VERSION, cache_dir};
pub use outcome::Outcome;
pub use session::{EmulatorOptions, EmulatorTarget, StartTimings, TargetError};
