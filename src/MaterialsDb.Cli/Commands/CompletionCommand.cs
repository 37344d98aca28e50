using System.CommandLine;

namespace MaterialsDb.Cli.Commands;

/// <summary>
/// <c>materialsdb completion bash|zsh|pwsh</c>: a script that completes commands, options and their values through
/// System.CommandLine's <c>[suggest]</c> directive (the program answers what may follow the cursor).
/// </summary>
internal static class CompletionCommand
{
    public static Command Create(CliContext context)
    {
        var shell = new Argument<string>("shell") { Description = "bash, zsh or pwsh." };
        shell.AcceptOnlyFromAmong("bash", "zsh", "pwsh");
        var command = new Command("completion", "Print a shell completion script; e.g. add 'source <(materialsdb completion bash)' to ~/.bashrc.") { shell };
        command.SetAction(async (parse, _) =>
        {
            await context.Output.WriteAsync(parse.GetValue(shell) switch
            {
                "pwsh" => PowerShell,
                "zsh" => "autoload -U +X bashcompinit && bashcompinit\n" + Bash,
                _ => Bash,
            }).ConfigureAwait(false);
            return 0;
        });
        return command;
    }

    // The words after the program name and the cursor's offset in them go to "[suggest:offset]"; bash keeps the
    // suggestions that start with the word being completed.
    private const string Bash = """
        _materialsdb_complete() {
          local line="${COMP_LINE#*[[:space:]]}"
          local offset=$(( COMP_POINT - ${#COMP_LINE} + ${#line} ))
          local IFS=$'\n'
          COMPREPLY=( $(compgen -W "$(materialsdb "[suggest:${offset}]" "${line}" 2>/dev/null)" -- "${COMP_WORDS[COMP_CWORD]}") )
        }
        complete -o default -F _materialsdb_complete materialsdb

        """;

    private const string PowerShell = """
        Register-ArgumentCompleter -Native -CommandName materialsdb -ScriptBlock {
            param($wordToComplete, $commandAst, $cursorPosition)
            $line = $commandAst.ToString()
            $first = $line.IndexOf(' ')
            if ($first -lt 0) { $words = ''; $offset = 0 } else { $words = $line.Substring($first + 1); $offset = $cursorPosition - $first - 1 }
            materialsdb "[suggest:$offset]" "$words" | Where-Object { $_ -like "$wordToComplete*" } | ForEach-Object {
                [System.Management.Automation.CompletionResult]::new($_, $_, 'ParameterValue', $_)
            }
        }

        """;
}
