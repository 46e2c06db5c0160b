function __swdock_should_offer_completions_for_flags_or_options -a expected_commands
    set -l non_repeating_flags_or_options $argv[2..]
    set -l non_repeating_flags_or_options_absent 0
    set -l positional_index 0
    set -l commands
    __swdock_parse_tokens
    test "$commands" = "$expected_commands"; and return $non_repeating_flags_or_options_absent
end

function __swdock_should_offer_completions_for_positional -a expected_commands positional_index_comparison expected_positional_index
    set -l non_repeating_flags_or_options
    set -l non_repeating_flags_or_options_absent 0
    set -l positional_index 0
    set -l commands
    __swdock_parse_tokens
    test "$commands" = "$expected_commands" -a \( "$positional_index" "$positional_index_comparison" "$expected_positional_index" \)
end

function __swdock_parse_tokens -S
    set -l unparsed_tokens (__swdock_tokens -pc)
    switch $unparsed_tokens[1]
    case 'swdock'
        __swdock_parse_subcommand 0 'version' 'h/help'
        switch $unparsed_tokens[1]
        case 'version'
            __swdock_parse_subcommand 0 'H/host=' 'f/format=' 'version' 'h/help'
        case 'info'
            __swdock_parse_subcommand 0 'H/host=' 'f/format=' 'version' 'h/help'
        case 'volume'
            __swdock_parse_subcommand 0 'version' 'h/help'
            switch $unparsed_tokens[1]
            case 'create'
                __swdock_parse_subcommand 1 'H/host=' 'name=' 'd/driver=' 'label=+' 'o/opt=+' 'version' 'h/help'
            case 'ls'
                __swdock_parse_subcommand 0 'H/host=' 'q/quiet' 'f/filter=+' 'format=' 'version' 'h/help'
            case 'inspect'
                __swdock_parse_subcommand -r 1 'H/host=' 'f/format=' 'version' 'h/help'
            case 'rm'
                __swdock_parse_subcommand -r 1 'H/host=' 'f/force' 'version' 'h/help'
            case 'prune'
                __swdock_parse_subcommand 0 'H/host=' 'a/all' 'f/force' 'filter=+' 'version' 'h/help'
            end
        case 'events'
            __swdock_parse_subcommand 0 'H/host=' 'since=' 'until=' 'f/filter=+' 'format=' 'version' 'h/help'
        case 'help'
            __swdock_parse_subcommand -r 1 'version'
        end
    end
end

function __swdock_tokens
    if test (string split -m 1 -f 1 -- . "$FISH_VERSION") -gt 3
        commandline --tokens-raw $argv
    else
        commandline -o $argv
    end
end

function __swdock_parse_subcommand -S -a positional_count
    argparse -s r -- $argv
    set -l option_specs $argv[2..]
    set -l is_repeating_positional $_flag_r
    set -el _flag_r
    set -a commands $unparsed_tokens[1]
    set positional_index 0
    while true
        set -e unparsed_tokens[1]
        argparse -sn "$commands" $option_specs -- $unparsed_tokens 2> /dev/null
        set unparsed_tokens $argv
        set positional_index (math $positional_index + 1)
        for non_repeating_flag_or_option in $non_repeating_flags_or_options
            if set -ql "_flag_$(string replace -a - _ -- $non_repeating_flag_or_option)"
                set non_repeating_flags_or_options_absent 1
                break
            end
        end
        test (count $unparsed_tokens) -eq 0 -o \( -z "$is_repeating_positional" -a "$positional_index" -gt "$positional_count" \) && break
    end
end

function __swdock_complete_directories
    set -l token (commandline -t)
    string match -- '*/' $token
    set -l subdirs $token*/
    printf %s\n $subdirs
end

function __swdock_custom_completion
    set -x SAP_SHELL fish
    set -x SAP_SHELL_VERSION $FISH_VERSION
    set -l tokens (__swdock_tokens -p)
    if test -z "$(__swdock_tokens -t)"
        set -l index (count (__swdock_tokens -pc))
        set tokens $tokens[..$index] \'\' $tokens[(math $index + 1)..]
    end
    command $tokens[1] $argv $tokens
end

complete -c 'swdock' -f
complete -c 'swdock' -n '__swdock_should_offer_completions_for_flags_or_options "swdock" version' -l 'version' -d 'Show the version.'
complete -c 'swdock' -n '__swdock_should_offer_completions_for_flags_or_options "swdock" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'swdock' -n '__swdock_should_offer_completions_for_positional "swdock" -eq 1' -fa 'version' -d 'Show the swdock version information'
complete -c 'swdock' -n '__swdock_should_offer_completions_for_positional "swdock" -eq 1' -fa 'info' -d 'Display system-wide information'
complete -c 'swdock' -n '__swdock_should_offer_completions_for_positional "swdock" -eq 1' -fa 'volume' -d 'Manage volumes'
complete -c 'swdock' -n '__swdock_should_offer_completions_for_positional "swdock" -eq 1' -fa 'events' -d 'Get real time events from the server'
complete -c 'swdock' -n '__swdock_should_offer_completions_for_positional "swdock" -eq 1' -fa 'help' -d 'Show subcommand help information.'
complete -c 'swdock' -n '__swdock_should_offer_completions_for_flags_or_options "swdock version" H host' -s 'H' -l 'host' -d 'Daemon socket to connect to (unix://PATH).' -rfka ''
complete -c 'swdock' -n '__swdock_should_offer_completions_for_flags_or_options "swdock version" f format' -s 'f' -l 'format' -d 'Format output using a Go template ({{.Client.Version}}, {{json .Server}}).' -rfka ''
complete -c 'swdock' -n '__swdock_should_offer_completions_for_flags_or_options "swdock version" version' -l 'version' -d 'Show the version.'
complete -c 'swdock' -n '__swdock_should_offer_completions_for_flags_or_options "swdock version" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'swdock' -n '__swdock_should_offer_completions_for_flags_or_options "swdock info" H host' -s 'H' -l 'host' -d 'Daemon socket to connect to (unix://PATH).' -rfka ''
complete -c 'swdock' -n '__swdock_should_offer_completions_for_flags_or_options "swdock info" f format' -s 'f' -l 'format' -d 'Format output using a Go template ({{.NCPU}}, {{json .}}).' -rfka ''
complete -c 'swdock' -n '__swdock_should_offer_completions_for_flags_or_options "swdock info" version' -l 'version' -d 'Show the version.'
complete -c 'swdock' -n '__swdock_should_offer_completions_for_flags_or_options "swdock info" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'swdock' -n '__swdock_should_offer_completions_for_flags_or_options "swdock volume" version' -l 'version' -d 'Show the version.'
complete -c 'swdock' -n '__swdock_should_offer_completions_for_flags_or_options "swdock volume" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'swdock' -n '__swdock_should_offer_completions_for_positional "swdock volume" -eq 1' -fa 'create' -d 'Create a volume'
complete -c 'swdock' -n '__swdock_should_offer_completions_for_positional "swdock volume" -eq 1' -fa 'ls' -d 'List volumes'
complete -c 'swdock' -n '__swdock_should_offer_completions_for_positional "swdock volume" -eq 1' -fa 'inspect' -d 'Display detailed information on one or more volumes'
complete -c 'swdock' -n '__swdock_should_offer_completions_for_positional "swdock volume" -eq 1' -fa 'rm' -d 'Remove one or more volumes'
complete -c 'swdock' -n '__swdock_should_offer_completions_for_positional "swdock volume" -eq 1' -fa 'prune' -d 'Remove unused local volumes'
complete -c 'swdock' -n '__swdock_should_offer_completions_for_flags_or_options "swdock volume create" H host' -s 'H' -l 'host' -d 'Daemon socket to connect to (unix://PATH).' -rfka ''
complete -c 'swdock' -n '__swdock_should_offer_completions_for_flags_or_options "swdock volume create" name' -l 'name' -d 'Specify volume name' -rfka ''
complete -c 'swdock' -n '__swdock_should_offer_completions_for_flags_or_options "swdock volume create" d driver' -s 'd' -l 'driver' -d 'Specify volume driver name' -rfka ''
complete -c 'swdock' -n '__swdock_should_offer_completions_for_flags_or_options "swdock volume create"' -l 'label' -d 'Set metadata for a volume (key=value)' -rfka ''
complete -c 'swdock' -n '__swdock_should_offer_completions_for_flags_or_options "swdock volume create"' -s 'o' -l 'opt' -d 'Set driver specific options (key=value)' -rfka ''
complete -c 'swdock' -n '__swdock_should_offer_completions_for_flags_or_options "swdock volume create" version' -l 'version' -d 'Show the version.'
complete -c 'swdock' -n '__swdock_should_offer_completions_for_flags_or_options "swdock volume create" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'swdock' -n '__swdock_should_offer_completions_for_flags_or_options "swdock volume ls" H host' -s 'H' -l 'host' -d 'Daemon socket to connect to (unix://PATH).' -rfka ''
complete -c 'swdock' -n '__swdock_should_offer_completions_for_flags_or_options "swdock volume ls" q quiet' -s 'q' -l 'quiet' -d 'Only display volume names'
complete -c 'swdock' -n '__swdock_should_offer_completions_for_flags_or_options "swdock volume ls"' -s 'f' -l 'filter' -d 'Provide filter values (e.g. dangling=true)' -rfka ''
complete -c 'swdock' -n '__swdock_should_offer_completions_for_flags_or_options "swdock volume ls" format' -l 'format' -d 'Format output using a Go template' -rfka ''
complete -c 'swdock' -n '__swdock_should_offer_completions_for_flags_or_options "swdock volume ls" version' -l 'version' -d 'Show the version.'
complete -c 'swdock' -n '__swdock_should_offer_completions_for_flags_or_options "swdock volume ls" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'swdock' -n '__swdock_should_offer_completions_for_flags_or_options "swdock volume inspect" H host' -s 'H' -l 'host' -d 'Daemon socket to connect to (unix://PATH).' -rfka ''
complete -c 'swdock' -n '__swdock_should_offer_completions_for_flags_or_options "swdock volume inspect" f format' -s 'f' -l 'format' -d 'Format output using a Go template' -rfka ''
complete -c 'swdock' -n '__swdock_should_offer_completions_for_flags_or_options "swdock volume inspect" version' -l 'version' -d 'Show the version.'
complete -c 'swdock' -n '__swdock_should_offer_completions_for_flags_or_options "swdock volume inspect" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'swdock' -n '__swdock_should_offer_completions_for_flags_or_options "swdock volume rm" H host' -s 'H' -l 'host' -d 'Daemon socket to connect to (unix://PATH).' -rfka ''
complete -c 'swdock' -n '__swdock_should_offer_completions_for_flags_or_options "swdock volume rm" f force' -s 'f' -l 'force' -d 'Force the removal of one or more volumes'
complete -c 'swdock' -n '__swdock_should_offer_completions_for_flags_or_options "swdock volume rm" version' -l 'version' -d 'Show the version.'
complete -c 'swdock' -n '__swdock_should_offer_completions_for_flags_or_options "swdock volume rm" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'swdock' -n '__swdock_should_offer_completions_for_flags_or_options "swdock volume prune" H host' -s 'H' -l 'host' -d 'Daemon socket to connect to (unix://PATH).' -rfka ''
complete -c 'swdock' -n '__swdock_should_offer_completions_for_flags_or_options "swdock volume prune" a all' -s 'a' -l 'all' -d 'Remove all unused volumes, not just anonymous ones'
complete -c 'swdock' -n '__swdock_should_offer_completions_for_flags_or_options "swdock volume prune" f force' -s 'f' -l 'force' -d 'Do not prompt for confirmation'
complete -c 'swdock' -n '__swdock_should_offer_completions_for_flags_or_options "swdock volume prune"' -l 'filter' -d 'Provide filter values (e.g. label=<label>)' -rfka ''
complete -c 'swdock' -n '__swdock_should_offer_completions_for_flags_or_options "swdock volume prune" version' -l 'version' -d 'Show the version.'
complete -c 'swdock' -n '__swdock_should_offer_completions_for_flags_or_options "swdock volume prune" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'swdock' -n '__swdock_should_offer_completions_for_flags_or_options "swdock events" H host' -s 'H' -l 'host' -d 'Daemon socket to connect to (unix://PATH).' -rfka ''
complete -c 'swdock' -n '__swdock_should_offer_completions_for_flags_or_options "swdock events" since' -l 'since' -d 'Show all events created since timestamp (Unix seconds, RFC 3339, or a duration like 10m)' -rfka ''
complete -c 'swdock' -n '__swdock_should_offer_completions_for_flags_or_options "swdock events" until' -l 'until' -d 'Stream events until this timestamp' -rfka ''
complete -c 'swdock' -n '__swdock_should_offer_completions_for_flags_or_options "swdock events"' -s 'f' -l 'filter' -d 'Filter output based on conditions provided (type=container, event=die, …)' -rfka ''
complete -c 'swdock' -n '__swdock_should_offer_completions_for_flags_or_options "swdock events" format' -l 'format' -d 'Format output using a Go template ({{json .}}, {{.Action}})' -rfka ''
complete -c 'swdock' -n '__swdock_should_offer_completions_for_flags_or_options "swdock events" version' -l 'version' -d 'Show the version.'
complete -c 'swdock' -n '__swdock_should_offer_completions_for_flags_or_options "swdock events" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'swdock' -n '__swdock_should_offer_completions_for_flags_or_options "swdock help" version' -l 'version' -d 'Show the version.'
