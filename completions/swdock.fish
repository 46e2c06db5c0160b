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
complete -c 'swdock' -n '__swdock_should_offer_completions_for_positional "swdock" -eq 1' -fa 'help' -d 'Show subcommand help information.'
complete -c 'swdock' -n '__swdock_should_offer_completions_for_flags_or_options "swdock version" H host' -s 'H' -l 'host' -d 'Daemon socket to connect to (unix://PATH).' -rfka ''
complete -c 'swdock' -n '__swdock_should_offer_completions_for_flags_or_options "swdock version" f format' -s 'f' -l 'format' -d 'Format output using a Go template ({{.Client.Version}}, {{json .Server}}).' -rfka ''
complete -c 'swdock' -n '__swdock_should_offer_completions_for_flags_or_options "swdock version" version' -l 'version' -d 'Show the version.'
complete -c 'swdock' -n '__swdock_should_offer_completions_for_flags_or_options "swdock version" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'swdock' -n '__swdock_should_offer_completions_for_flags_or_options "swdock info" H host' -s 'H' -l 'host' -d 'Daemon socket to connect to (unix://PATH).' -rfka ''
complete -c 'swdock' -n '__swdock_should_offer_completions_for_flags_or_options "swdock info" f format' -s 'f' -l 'format' -d 'Format output using a Go template ({{.NCPU}}, {{json .}}).' -rfka ''
complete -c 'swdock' -n '__swdock_should_offer_completions_for_flags_or_options "swdock info" version' -l 'version' -d 'Show the version.'
complete -c 'swdock' -n '__swdock_should_offer_completions_for_flags_or_options "swdock info" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'swdock' -n '__swdock_should_offer_completions_for_flags_or_options "swdock help" version' -l 'version' -d 'Show the version.'
