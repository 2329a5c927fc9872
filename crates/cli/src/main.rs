//! `safetynet`: see `safetynet --help`.

fn main() -> std::process::ExitCode {
    safetynet::commands::main()
}
