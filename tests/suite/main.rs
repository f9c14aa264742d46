//! The test suite: data-driven fixture projects for each feature, the CLI,
//! and incrementality.

mod cli;
mod fixes;
mod fixture;
mod incremental;
mod incremental_property;
mod resolution;
mod server;
mod store;
mod suppression;
mod tl001;
mod tl002;
mod tl003;
mod tl004;
mod tl005;
mod tl006;
mod tl007;
mod tl008;
mod tl009;
mod tl010;
mod tl011;
mod tl012;
mod tl013;
mod tl014;
mod tl015;
mod tl016;
mod tl017;
mod tl018;
mod tl019;
mod tl020;
mod tl021;
mod tl022;
mod tl023;
mod watch;
