//! The command line: clap's flags ([`args`]) and the settings they resolve to with the
//! config file ([`settings`]).

pub mod args;
pub(crate) mod settings;
pub(crate) mod show;
