//! `kroniek alias`: tell kroniek that two names are one entity, or that they are not.

use std::io::Write;
use std::process::ExitCode;

use clap::Subcommand;

use super::db::DbArgs;

/// Manage entity aliases: names kroniek should treat as the same entity.
///
/// Adding or removing an alias re-groups every stored mention at once.
///
/// Examples:
///   kroniek alias add Daesh 'Islamitische Staat'
///   kroniek alias list
///   kroniek alias remove Daesh
#[derive(clap::Args, Debug)]
#[command(verbatim_doc_comment)]
pub struct Args {
    #[command(subcommand)]
    pub command: AliasCommand,
    #[command(flatten)]
    pub db: DbArgs,
}

/// What to do with aliases.
#[derive(Subcommand, Debug)]
pub enum AliasCommand {
    /// Declare ALIAS a name of the entity called NAME
    Add {
        /// The other name
        alias: String,
        /// A name the entity already goes by
        name: String,
    },
    /// Forget an alias
    Remove {
        /// The alias to forget
        alias: String,
    },
    /// List the aliases
    List,
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let mut store = args.db.open_existing()?;
    let mut out = std::io::stdout().lock();
    match args.command {
        AliasCommand::Add { alias, name } => {
            store.add_entity_alias(&alias, &name)?;
            writeln!(out, "{alias} is now a name of {name}; mentions re-grouped")?;
        }
        AliasCommand::Remove { alias } => {
            if store.remove_entity_alias(&alias)? {
                writeln!(out, "alias {alias} removed; mentions re-grouped")?;
            } else {
                eprintln!("there is no alias {alias:?}");
                return Ok(ExitCode::FAILURE);
            }
        }
        AliasCommand::List => {
            for (a, n) in store.entity_aliases()? {
                writeln!(out, "{a}\t{n}")?;
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}
