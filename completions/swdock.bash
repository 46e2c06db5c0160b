#!/bin/bash

__swdock_cursor_index_in_current_word() {
    local remaining="${COMP_LINE}"

    local word
    for word in "${COMP_WORDS[@]::COMP_CWORD}"; do
        remaining="${remaining##*([[:space:]])"${word}"*([[:space:]])}"
    done

    local -ir index="$((COMP_POINT - ${#COMP_LINE} + ${#remaining}))"
    if [[ "${index}" -le 0 ]]; then
        printf 0
    else
        printf %s "${index}"
    fi
}

# positional arguments:
#
# - 1: the current (sub)command's count of positional arguments
#
# required variables:
#
# - repeating_flags: the repeating flags that the current (sub)command can accept
# - non_repeating_flags: the non-repeating flags that the current (sub)command can accept
# - repeating_options: the repeating options that the current (sub)command can accept
# - non_repeating_options: the non-repeating options that the current (sub)command can accept
# - positional_number: value ignored
# - unparsed_words: unparsed words from the current command line
#
# modified variables:
#
# - non_repeating_flags: remove flags for this (sub)command that are already on the command line
# - non_repeating_options: remove options for this (sub)command that are already on the command line
# - positional_number: set to the current positional number
# - unparsed_words: remove all flags, options, and option values for this (sub)command
__swdock_offer_flags_options() {
    local -ir positional_count="${1}"
    positional_number=0

    local was_flag_option_terminator_seen=false
    local is_parsing_option_value=false

    local -ar unparsed_word_indices=("${!unparsed_words[@]}")
    local -i word_index
    for word_index in "${unparsed_word_indices[@]}"; do
        if "${is_parsing_option_value}"; then
            # This word is an option value:
            # Reset marker for next word iff not currently the last word
            [[ "${word_index}" -ne "${unparsed_word_indices[${#unparsed_word_indices[@]} - 1]}" ]] && is_parsing_option_value=false
            unset "unparsed_words[${word_index}]"
            # Do not process this word as a flag or an option
            continue
        fi

        local word="${unparsed_words["${word_index}"]}"
        if ! "${was_flag_option_terminator_seen}"; then
            case "${word}" in
            --)
                unset "unparsed_words[${word_index}]"
                # by itself -- is a flag/option terminator, but if it is the last word, it is the start of a completion
                if [[ "${word_index}" -ne "${unparsed_word_indices[${#unparsed_word_indices[@]} - 1]}" ]]; then
                    was_flag_option_terminator_seen=true
                fi
                continue
                ;;
            -*)
                # ${word} is a flag or an option
                # If ${word} is an option, mark that the next word to be parsed is an option value
                local option
                for option in "${repeating_options[@]}" "${non_repeating_options[@]}"; do
                    [[ "${word}" = "${option}" ]] && is_parsing_option_value=true && break
                done

                # Remove ${word} from ${non_repeating_flags} or ${non_repeating_options} so it isn't offered again
                local not_found=true
                local -i index
                for index in "${!non_repeating_flags[@]}"; do
                    if [[ "${non_repeating_flags[${index}]}" = "${word}" ]]; then
                        unset "non_repeating_flags[${index}]"
                        non_repeating_flags=("${non_repeating_flags[@]}")
                        not_found=false
                        break
                    fi
                done
                if "${not_found}"; then
                    for index in "${!non_repeating_flags[@]}"; do
                        if [[ "${non_repeating_flags[${index}]}" = "${word}" ]]; then
                            unset "non_repeating_flags[${index}]"
                            non_repeating_flags=("${non_repeating_flags[@]}")
                            break
                        fi
                    done
                fi
                unset "unparsed_words[${word_index}]"
                continue
                ;;
            esac
        fi

        # ${word} is neither a flag, nor an option, nor an option value
        if [[ "${positional_number}" -lt "${positional_count}" || "${positional_count}" -lt 0 ]]; then
            # ${word} is a positional
            ((positional_number++))
            unset "unparsed_words[${word_index}]"
        else
            if [[ -z "${word}" ]]; then
                # Could be completing a flag, option, or subcommand
                positional_number=-1
            else
                # ${word} is a subcommand or invalid, so stop processing this (sub)command
                positional_number=-2
            fi
            break
        fi
    done

    unparsed_words=("${unparsed_words[@]}")

    if\
        ! "${was_flag_option_terminator_seen}"\
        && ! "${is_parsing_option_value}"\
        && [[ ("${cur}" = -* && "${positional_number}" -ge 0) || "${positional_number}" -eq -1 ]]
    then
        COMPREPLY+=($(compgen -W "${repeating_flags[*]} ${non_repeating_flags[*]} ${repeating_options[*]} ${non_repeating_options[*]}" -- "${cur}"))
    fi
}

__swdock_add_completions() {
    local completion
    while IFS='' read -r completion; do
        COMPREPLY+=("${completion}")
    done < <(IFS=$'\n' compgen "${@}" -- "${cur}")
}

__swdock_custom_complete() {
    if [[ -n "${cur}" || -z ${COMP_WORDS[${COMP_CWORD}]} || "${COMP_LINE:${COMP_POINT}:1}" != ' ' ]]; then
        local -ar words=("${COMP_WORDS[@]}")
    else
        local -ar words=("${COMP_WORDS[@]::${COMP_CWORD}}" '' "${COMP_WORDS[@]:${COMP_CWORD}}")
    fi

    "${COMP_WORDS[0]}" "${@}" "${words[@]}"
}

_swdock() {
    local state
    state="$(shopt -p;shopt -po)"
    trap "${state//$'\n'/;}" RETURN
    shopt -s extglob
    set +o history +o posix

    local -xr SAP_SHELL=bash
    local -x SAP_SHELL_VERSION
    SAP_SHELL_VERSION="$(IFS='.';printf %s "${BASH_VERSINFO[*]}")"
    local -r SAP_SHELL_VERSION

    local -r cur="${2}"
    local -r prev="${3}"

    local -i positional_number
    local -a unparsed_words=("${COMP_WORDS[@]:1:${COMP_CWORD}}")

    local -a repeating_flags=()
    local -a non_repeating_flags=(--version -h --help)
    local -a repeating_options=()
    local -a non_repeating_options=()
    __swdock_offer_flags_options 0

    # Offer subcommand / subcommand argument completions
    local -r subcommand="${unparsed_words[0]}"
    unset 'unparsed_words[0]'
    unparsed_words=("${unparsed_words[@]}")
    case "${subcommand}" in
    version|info|run|create|start|stop|restart|kill|rm|ps|logs|inspect|top|rename|wait|pull|images|tag|rmi|save|load|container|image|system|volume|events|network|port|exec|attach|pause|unpause|stats|cp|export|diff|commit|import|help)
        # Offer subcommand argument completions
        "_swdock_${subcommand}"
        ;;
    *)
        # Offer subcommand completions
        COMPREPLY+=($(compgen -W 'version info run create start stop restart kill rm ps logs inspect top rename wait pull images tag rmi save load container image system volume events network port exec attach pause unpause stats cp export diff commit import help' -- "${cur}"))
        ;;
    esac
}

_swdock_version() {
    repeating_flags=()
    non_repeating_flags=(--version -h --help)
    repeating_options=()
    non_repeating_options=(-H --host -f --format)
    __swdock_offer_flags_options 0

    # Offer option value completions
    case "${prev}" in
    '-H'|'--host')
        return
        ;;
    '-f'|'--format')
        return
        ;;
    esac
}

_swdock_info() {
    repeating_flags=()
    non_repeating_flags=(--version -h --help)
    repeating_options=()
    non_repeating_options=(-H --host -f --format)
    __swdock_offer_flags_options 0

    # Offer option value completions
    case "${prev}" in
    '-H'|'--host')
        return
        ;;
    '-f'|'--format')
        return
        ;;
    esac
}

_swdock_run() {
    repeating_flags=()
    non_repeating_flags=(--read-only --privileged --init -P --publish-all --oom-kill-disable -i --interactive -t --tty -d --detach --rm --version --help)
    repeating_options=(-e --env --env-file -l --label -v --volume --mount --tmpfs --ulimit --cap-add --cap-drop --security-opt --sysctl --network-alias --expose --dns-search --dns-option --log-opt --label-file -p --publish --dns --add-host --group-add)
    non_repeating_options=(-H --host --name -w --workdir -u --user --entrypoint -h --hostname -m --memory --memory-swap --memory-reservation --cpus -c --cpu-shares --cpuset-cpus --cpu-period --cpu-quota --pids-limit --stop-signal --stop-timeout --network --net --ip --mac-address --runtime --platform --pull --log-driver --shm-size --oom-score-adj --restart --cgroupns --cgroup-parent --ipc --pid --uts --sig-proxy --detach-keys)
    __swdock_offer_flags_options -1

    # Offer option value completions
    case "${prev}" in
    '-H'|'--host')
        return
        ;;
    '--name')
        return
        ;;
    '-e'|'--env')
        return
        ;;
    '--env-file')
        return
        ;;
    '-l'|'--label')
        return
        ;;
    '-w'|'--workdir')
        return
        ;;
    '-u'|'--user')
        return
        ;;
    '--entrypoint')
        return
        ;;
    '-h'|'--hostname')
        return
        ;;
    '-v'|'--volume')
        return
        ;;
    '--mount')
        return
        ;;
    '--tmpfs')
        return
        ;;
    '-m'|'--memory')
        return
        ;;
    '--memory-swap')
        return
        ;;
    '--memory-reservation')
        return
        ;;
    '--cpus')
        return
        ;;
    '-c'|'--cpu-shares')
        return
        ;;
    '--cpuset-cpus')
        return
        ;;
    '--cpu-period')
        return
        ;;
    '--cpu-quota')
        return
        ;;
    '--pids-limit')
        return
        ;;
    '--ulimit')
        return
        ;;
    '--cap-add')
        return
        ;;
    '--cap-drop')
        return
        ;;
    '--security-opt')
        return
        ;;
    '--sysctl')
        return
        ;;
    '--stop-signal')
        return
        ;;
    '--stop-timeout')
        return
        ;;
    '--network'|'--net')
        __swdock_add_completions -W "$(__swdock_custom_complete ---completion run -- --network "${COMP_CWORD}" "$(__swdock_cursor_index_in_current_word)")"
        return
        ;;
    '--network-alias')
        return
        ;;
    '--ip')
        return
        ;;
    '--mac-address')
        return
        ;;
    '--expose')
        return
        ;;
    '--dns-search')
        return
        ;;
    '--dns-option')
        return
        ;;
    '--runtime')
        return
        ;;
    '--platform')
        return
        ;;
    '--pull')
        return
        ;;
    '--log-driver')
        return
        ;;
    '--log-opt')
        return
        ;;
    '--shm-size')
        return
        ;;
    '--oom-score-adj')
        return
        ;;
    '--restart')
        return
        ;;
    '--label-file')
        return
        ;;
    '-p'|'--publish')
        return
        ;;
    '--dns')
        return
        ;;
    '--add-host')
        return
        ;;
    '--group-add')
        return
        ;;
    '--cgroupns')
        return
        ;;
    '--cgroup-parent')
        return
        ;;
    '--ipc')
        return
        ;;
    '--pid')
        return
        ;;
    '--uts')
        return
        ;;
    '--sig-proxy')
        return
        ;;
    '--detach-keys')
        return
        ;;
    esac

    # Offer positional completions
    case "${positional_number}" in
    1)
        __swdock_add_completions -W "$(__swdock_custom_complete ---completion run -- positional@0 "${COMP_CWORD}" "$(__swdock_cursor_index_in_current_word)")"
        return
        ;;
    esac
}

_swdock_create() {
    repeating_flags=()
    non_repeating_flags=(--read-only --privileged --init -P --publish-all --oom-kill-disable -i --interactive -t --tty --rm --version --help)
    repeating_options=(-e --env --env-file -l --label -v --volume --mount --tmpfs --ulimit --cap-add --cap-drop --security-opt --sysctl --network-alias --expose --dns-search --dns-option --log-opt --label-file -p --publish --dns --add-host --group-add)
    non_repeating_options=(-H --host --name -w --workdir -u --user --entrypoint -h --hostname -m --memory --memory-swap --memory-reservation --cpus -c --cpu-shares --cpuset-cpus --cpu-period --cpu-quota --pids-limit --stop-signal --stop-timeout --network --net --ip --mac-address --runtime --platform --pull --log-driver --shm-size --oom-score-adj --restart --cgroupns --cgroup-parent --ipc --pid --uts)
    __swdock_offer_flags_options -1

    # Offer option value completions
    case "${prev}" in
    '-H'|'--host')
        return
        ;;
    '--name')
        return
        ;;
    '-e'|'--env')
        return
        ;;
    '--env-file')
        return
        ;;
    '-l'|'--label')
        return
        ;;
    '-w'|'--workdir')
        return
        ;;
    '-u'|'--user')
        return
        ;;
    '--entrypoint')
        return
        ;;
    '-h'|'--hostname')
        return
        ;;
    '-v'|'--volume')
        return
        ;;
    '--mount')
        return
        ;;
    '--tmpfs')
        return
        ;;
    '-m'|'--memory')
        return
        ;;
    '--memory-swap')
        return
        ;;
    '--memory-reservation')
        return
        ;;
    '--cpus')
        return
        ;;
    '-c'|'--cpu-shares')
        return
        ;;
    '--cpuset-cpus')
        return
        ;;
    '--cpu-period')
        return
        ;;
    '--cpu-quota')
        return
        ;;
    '--pids-limit')
        return
        ;;
    '--ulimit')
        return
        ;;
    '--cap-add')
        return
        ;;
    '--cap-drop')
        return
        ;;
    '--security-opt')
        return
        ;;
    '--sysctl')
        return
        ;;
    '--stop-signal')
        return
        ;;
    '--stop-timeout')
        return
        ;;
    '--network'|'--net')
        __swdock_add_completions -W "$(__swdock_custom_complete ---completion create -- --network "${COMP_CWORD}" "$(__swdock_cursor_index_in_current_word)")"
        return
        ;;
    '--network-alias')
        return
        ;;
    '--ip')
        return
        ;;
    '--mac-address')
        return
        ;;
    '--expose')
        return
        ;;
    '--dns-search')
        return
        ;;
    '--dns-option')
        return
        ;;
    '--runtime')
        return
        ;;
    '--platform')
        return
        ;;
    '--pull')
        return
        ;;
    '--log-driver')
        return
        ;;
    '--log-opt')
        return
        ;;
    '--shm-size')
        return
        ;;
    '--oom-score-adj')
        return
        ;;
    '--restart')
        return
        ;;
    '--label-file')
        return
        ;;
    '-p'|'--publish')
        return
        ;;
    '--dns')
        return
        ;;
    '--add-host')
        return
        ;;
    '--group-add')
        return
        ;;
    '--cgroupns')
        return
        ;;
    '--cgroup-parent')
        return
        ;;
    '--ipc')
        return
        ;;
    '--pid')
        return
        ;;
    '--uts')
        return
        ;;
    esac

    # Offer positional completions
    case "${positional_number}" in
    1)
        __swdock_add_completions -W "$(__swdock_custom_complete ---completion create -- positional@0 "${COMP_CWORD}" "$(__swdock_cursor_index_in_current_word)")"
        return
        ;;
    esac
}

_swdock_start() {
    repeating_flags=()
    non_repeating_flags=(-a --attach -i --interactive --version -h --help)
    repeating_options=()
    non_repeating_options=(-H --host --detach-keys)
    __swdock_offer_flags_options -1

    # Offer option value completions
    case "${prev}" in
    '-H'|'--host')
        return
        ;;
    '--detach-keys')
        return
        ;;
    esac

    # Offer positional completions
    case "${positional_number}" in
    *)
        __swdock_add_completions -W "$(__swdock_custom_complete ---completion start -- positional@0 "${COMP_CWORD}" "$(__swdock_cursor_index_in_current_word)")"
        return
        ;;
    esac
}

_swdock_stop() {
    repeating_flags=()
    non_repeating_flags=(--version -h --help)
    repeating_options=()
    non_repeating_options=(-H --host -t --time --timeout -s --signal)
    __swdock_offer_flags_options -1

    # Offer option value completions
    case "${prev}" in
    '-H'|'--host')
        return
        ;;
    '-t'|'--time'|'--timeout')
        return
        ;;
    '-s'|'--signal')
        return
        ;;
    esac

    # Offer positional completions
    case "${positional_number}" in
    *)
        __swdock_add_completions -W "$(__swdock_custom_complete ---completion stop -- positional@0 "${COMP_CWORD}" "$(__swdock_cursor_index_in_current_word)")"
        return
        ;;
    esac
}

_swdock_restart() {
    repeating_flags=()
    non_repeating_flags=(--version -h --help)
    repeating_options=()
    non_repeating_options=(-H --host -t --time --timeout -s --signal)
    __swdock_offer_flags_options -1

    # Offer option value completions
    case "${prev}" in
    '-H'|'--host')
        return
        ;;
    '-t'|'--time'|'--timeout')
        return
        ;;
    '-s'|'--signal')
        return
        ;;
    esac

    # Offer positional completions
    case "${positional_number}" in
    *)
        __swdock_add_completions -W "$(__swdock_custom_complete ---completion restart -- positional@0 "${COMP_CWORD}" "$(__swdock_cursor_index_in_current_word)")"
        return
        ;;
    esac
}

_swdock_kill() {
    repeating_flags=()
    non_repeating_flags=(--version -h --help)
    repeating_options=()
    non_repeating_options=(-H --host -s --signal)
    __swdock_offer_flags_options -1

    # Offer option value completions
    case "${prev}" in
    '-H'|'--host')
        return
        ;;
    '-s'|'--signal')
        return
        ;;
    esac

    # Offer positional completions
    case "${positional_number}" in
    *)
        __swdock_add_completions -W "$(__swdock_custom_complete ---completion kill -- positional@0 "${COMP_CWORD}" "$(__swdock_cursor_index_in_current_word)")"
        return
        ;;
    esac
}

_swdock_rm() {
    repeating_flags=()
    non_repeating_flags=(-f --force -v --volumes -l --link --version -h --help)
    repeating_options=()
    non_repeating_options=(-H --host)
    __swdock_offer_flags_options -1

    # Offer option value completions
    case "${prev}" in
    '-H'|'--host')
        return
        ;;
    esac

    # Offer positional completions
    case "${positional_number}" in
    *)
        __swdock_add_completions -W "$(__swdock_custom_complete ---completion rm -- positional@0 "${COMP_CWORD}" "$(__swdock_cursor_index_in_current_word)")"
        return
        ;;
    esac
}

_swdock_ps() {
    repeating_flags=()
    non_repeating_flags=(-a --all -q --quiet -l --latest -s --size --no-trunc --version -h --help)
    repeating_options=(-f --filter)
    non_repeating_options=(-H --host -n --last --format)
    __swdock_offer_flags_options 0

    # Offer option value completions
    case "${prev}" in
    '-H'|'--host')
        return
        ;;
    '-n'|'--last')
        return
        ;;
    '-f'|'--filter')
        return
        ;;
    '--format')
        return
        ;;
    esac
}

_swdock_logs() {
    repeating_flags=()
    non_repeating_flags=(-f --follow -t --timestamps --details --version -h --help)
    repeating_options=()
    non_repeating_options=(-H --host -n --tail --since --until)
    __swdock_offer_flags_options 1

    # Offer option value completions
    case "${prev}" in
    '-H'|'--host')
        return
        ;;
    '-n'|'--tail')
        return
        ;;
    '--since')
        return
        ;;
    '--until')
        return
        ;;
    esac

    # Offer positional completions
    case "${positional_number}" in
    1)
        __swdock_add_completions -W "$(__swdock_custom_complete ---completion logs -- positional@0 "${COMP_CWORD}" "$(__swdock_cursor_index_in_current_word)")"
        return
        ;;
    esac
}

_swdock_inspect() {
    repeating_flags=()
    non_repeating_flags=(-s --size --version -h --help)
    repeating_options=()
    non_repeating_options=(-H --host -f --format --type)
    __swdock_offer_flags_options -1

    # Offer option value completions
    case "${prev}" in
    '-H'|'--host')
        return
        ;;
    '-f'|'--format')
        return
        ;;
    '--type')
        return
        ;;
    esac

    # Offer positional completions
    case "${positional_number}" in
    *)
        __swdock_add_completions -W "$(__swdock_custom_complete ---completion inspect -- positional@0 "${COMP_CWORD}" "$(__swdock_cursor_index_in_current_word)")"
        return
        ;;
    esac
}

_swdock_top() {
    repeating_flags=()
    non_repeating_flags=(--version -h --help)
    repeating_options=()
    non_repeating_options=(-H --host)
    __swdock_offer_flags_options -1

    # Offer option value completions
    case "${prev}" in
    '-H'|'--host')
        return
        ;;
    esac

    # Offer positional completions
    case "${positional_number}" in
    1)
        __swdock_add_completions -W "$(__swdock_custom_complete ---completion top -- positional@0 "${COMP_CWORD}" "$(__swdock_cursor_index_in_current_word)")"
        return
        ;;
    esac
}

_swdock_rename() {
    repeating_flags=()
    non_repeating_flags=(--version -h --help)
    repeating_options=()
    non_repeating_options=(-H --host)
    __swdock_offer_flags_options 2

    # Offer option value completions
    case "${prev}" in
    '-H'|'--host')
        return
        ;;
    esac

    # Offer positional completions
    case "${positional_number}" in
    1)
        __swdock_add_completions -W "$(__swdock_custom_complete ---completion rename -- positional@0 "${COMP_CWORD}" "$(__swdock_cursor_index_in_current_word)")"
        return
        ;;
    esac
}

_swdock_wait() {
    repeating_flags=()
    non_repeating_flags=(--version -h --help)
    repeating_options=()
    non_repeating_options=(-H --host)
    __swdock_offer_flags_options -1

    # Offer option value completions
    case "${prev}" in
    '-H'|'--host')
        return
        ;;
    esac

    # Offer positional completions
    case "${positional_number}" in
    *)
        __swdock_add_completions -W "$(__swdock_custom_complete ---completion wait -- positional@0 "${COMP_CWORD}" "$(__swdock_cursor_index_in_current_word)")"
        return
        ;;
    esac
}

_swdock_pull() {
    repeating_flags=()
    non_repeating_flags=(-a --all-tags -q --quiet --disable-content-trust --version -h --help)
    repeating_options=()
    non_repeating_options=(-H --host --platform)
    __swdock_offer_flags_options 1

    # Offer option value completions
    case "${prev}" in
    '-H'|'--host')
        return
        ;;
    '--platform')
        return
        ;;
    esac
}

_swdock_images() {
    repeating_flags=()
    non_repeating_flags=(-a --all -q --quiet --digests --no-trunc --version -h --help)
    repeating_options=(-f --filter)
    non_repeating_options=(-H --host --format)
    __swdock_offer_flags_options 1

    # Offer option value completions
    case "${prev}" in
    '-H'|'--host')
        return
        ;;
    '-f'|'--filter')
        return
        ;;
    '--format')
        return
        ;;
    esac
}

_swdock_tag() {
    repeating_flags=()
    non_repeating_flags=(--version -h --help)
    repeating_options=()
    non_repeating_options=(-H --host)
    __swdock_offer_flags_options 2

    # Offer option value completions
    case "${prev}" in
    '-H'|'--host')
        return
        ;;
    esac

    # Offer positional completions
    case "${positional_number}" in
    1)
        __swdock_add_completions -W "$(__swdock_custom_complete ---completion tag -- positional@0 "${COMP_CWORD}" "$(__swdock_cursor_index_in_current_word)")"
        return
        ;;
    esac
}

_swdock_rmi() {
    repeating_flags=()
    non_repeating_flags=(-f --force --no-prune --version -h --help)
    repeating_options=()
    non_repeating_options=(-H --host)
    __swdock_offer_flags_options -1

    # Offer option value completions
    case "${prev}" in
    '-H'|'--host')
        return
        ;;
    esac

    # Offer positional completions
    case "${positional_number}" in
    *)
        __swdock_add_completions -W "$(__swdock_custom_complete ---completion rmi -- positional@0 "${COMP_CWORD}" "$(__swdock_cursor_index_in_current_word)")"
        return
        ;;
    esac
}

_swdock_save() {
    repeating_flags=()
    non_repeating_flags=(--version -h --help)
    repeating_options=()
    non_repeating_options=(-H --host -o --output --format)
    __swdock_offer_flags_options -1

    # Offer option value completions
    case "${prev}" in
    '-H'|'--host')
        return
        ;;
    '-o'|'--output')
        return
        ;;
    '--format')
        __swdock_add_completions -W 'docker'$'\n''oci'
        return
        ;;
    esac

    # Offer positional completions
    case "${positional_number}" in
    *)
        __swdock_add_completions -W "$(__swdock_custom_complete ---completion save -- positional@0 "${COMP_CWORD}" "$(__swdock_cursor_index_in_current_word)")"
        return
        ;;
    esac
}

_swdock_load() {
    repeating_flags=()
    non_repeating_flags=(-q --quiet --version -h --help)
    repeating_options=()
    non_repeating_options=(-H --host -i --input)
    __swdock_offer_flags_options 0

    # Offer option value completions
    case "${prev}" in
    '-H'|'--host')
        return
        ;;
    '-i'|'--input')
        return
        ;;
    esac
}

_swdock_container() {
    repeating_flags=()
    non_repeating_flags=(--version -h --help)
    repeating_options=()
    non_repeating_options=()
    __swdock_offer_flags_options 0

    # Offer subcommand / subcommand argument completions
    local -r subcommand="${unparsed_words[0]}"
    unset 'unparsed_words[0]'
    unparsed_words=("${unparsed_words[@]}")
    case "${subcommand}" in
    run|create|start|stop|restart|kill|rm|ls|logs|inspect|top|rename|wait|prune|cp|export|diff|commit)
        # Offer subcommand argument completions
        "_swdock_container_${subcommand}"
        ;;
    *)
        # Offer subcommand completions
        COMPREPLY+=($(compgen -W 'run create start stop restart kill rm ls logs inspect top rename wait prune cp export diff commit' -- "${cur}"))
        ;;
    esac
}

_swdock_container_run() {
    repeating_flags=()
    non_repeating_flags=(--read-only --privileged --init -P --publish-all --oom-kill-disable -i --interactive -t --tty -d --detach --rm --version --help)
    repeating_options=(-e --env --env-file -l --label -v --volume --mount --tmpfs --ulimit --cap-add --cap-drop --security-opt --sysctl --network-alias --expose --dns-search --dns-option --log-opt --label-file -p --publish --dns --add-host --group-add)
    non_repeating_options=(-H --host --name -w --workdir -u --user --entrypoint -h --hostname -m --memory --memory-swap --memory-reservation --cpus -c --cpu-shares --cpuset-cpus --cpu-period --cpu-quota --pids-limit --stop-signal --stop-timeout --network --net --ip --mac-address --runtime --platform --pull --log-driver --shm-size --oom-score-adj --restart --cgroupns --cgroup-parent --ipc --pid --uts --sig-proxy --detach-keys)
    __swdock_offer_flags_options -1

    # Offer option value completions
    case "${prev}" in
    '-H'|'--host')
        return
        ;;
    '--name')
        return
        ;;
    '-e'|'--env')
        return
        ;;
    '--env-file')
        return
        ;;
    '-l'|'--label')
        return
        ;;
    '-w'|'--workdir')
        return
        ;;
    '-u'|'--user')
        return
        ;;
    '--entrypoint')
        return
        ;;
    '-h'|'--hostname')
        return
        ;;
    '-v'|'--volume')
        return
        ;;
    '--mount')
        return
        ;;
    '--tmpfs')
        return
        ;;
    '-m'|'--memory')
        return
        ;;
    '--memory-swap')
        return
        ;;
    '--memory-reservation')
        return
        ;;
    '--cpus')
        return
        ;;
    '-c'|'--cpu-shares')
        return
        ;;
    '--cpuset-cpus')
        return
        ;;
    '--cpu-period')
        return
        ;;
    '--cpu-quota')
        return
        ;;
    '--pids-limit')
        return
        ;;
    '--ulimit')
        return
        ;;
    '--cap-add')
        return
        ;;
    '--cap-drop')
        return
        ;;
    '--security-opt')
        return
        ;;
    '--sysctl')
        return
        ;;
    '--stop-signal')
        return
        ;;
    '--stop-timeout')
        return
        ;;
    '--network'|'--net')
        __swdock_add_completions -W "$(__swdock_custom_complete ---completion container run -- --network "${COMP_CWORD}" "$(__swdock_cursor_index_in_current_word)")"
        return
        ;;
    '--network-alias')
        return
        ;;
    '--ip')
        return
        ;;
    '--mac-address')
        return
        ;;
    '--expose')
        return
        ;;
    '--dns-search')
        return
        ;;
    '--dns-option')
        return
        ;;
    '--runtime')
        return
        ;;
    '--platform')
        return
        ;;
    '--pull')
        return
        ;;
    '--log-driver')
        return
        ;;
    '--log-opt')
        return
        ;;
    '--shm-size')
        return
        ;;
    '--oom-score-adj')
        return
        ;;
    '--restart')
        return
        ;;
    '--label-file')
        return
        ;;
    '-p'|'--publish')
        return
        ;;
    '--dns')
        return
        ;;
    '--add-host')
        return
        ;;
    '--group-add')
        return
        ;;
    '--cgroupns')
        return
        ;;
    '--cgroup-parent')
        return
        ;;
    '--ipc')
        return
        ;;
    '--pid')
        return
        ;;
    '--uts')
        return
        ;;
    '--sig-proxy')
        return
        ;;
    '--detach-keys')
        return
        ;;
    esac

    # Offer positional completions
    case "${positional_number}" in
    1)
        __swdock_add_completions -W "$(__swdock_custom_complete ---completion container run -- positional@0 "${COMP_CWORD}" "$(__swdock_cursor_index_in_current_word)")"
        return
        ;;
    esac
}

_swdock_container_create() {
    repeating_flags=()
    non_repeating_flags=(--read-only --privileged --init -P --publish-all --oom-kill-disable -i --interactive -t --tty --rm --version --help)
    repeating_options=(-e --env --env-file -l --label -v --volume --mount --tmpfs --ulimit --cap-add --cap-drop --security-opt --sysctl --network-alias --expose --dns-search --dns-option --log-opt --label-file -p --publish --dns --add-host --group-add)
    non_repeating_options=(-H --host --name -w --workdir -u --user --entrypoint -h --hostname -m --memory --memory-swap --memory-reservation --cpus -c --cpu-shares --cpuset-cpus --cpu-period --cpu-quota --pids-limit --stop-signal --stop-timeout --network --net --ip --mac-address --runtime --platform --pull --log-driver --shm-size --oom-score-adj --restart --cgroupns --cgroup-parent --ipc --pid --uts)
    __swdock_offer_flags_options -1

    # Offer option value completions
    case "${prev}" in
    '-H'|'--host')
        return
        ;;
    '--name')
        return
        ;;
    '-e'|'--env')
        return
        ;;
    '--env-file')
        return
        ;;
    '-l'|'--label')
        return
        ;;
    '-w'|'--workdir')
        return
        ;;
    '-u'|'--user')
        return
        ;;
    '--entrypoint')
        return
        ;;
    '-h'|'--hostname')
        return
        ;;
    '-v'|'--volume')
        return
        ;;
    '--mount')
        return
        ;;
    '--tmpfs')
        return
        ;;
    '-m'|'--memory')
        return
        ;;
    '--memory-swap')
        return
        ;;
    '--memory-reservation')
        return
        ;;
    '--cpus')
        return
        ;;
    '-c'|'--cpu-shares')
        return
        ;;
    '--cpuset-cpus')
        return
        ;;
    '--cpu-period')
        return
        ;;
    '--cpu-quota')
        return
        ;;
    '--pids-limit')
        return
        ;;
    '--ulimit')
        return
        ;;
    '--cap-add')
        return
        ;;
    '--cap-drop')
        return
        ;;
    '--security-opt')
        return
        ;;
    '--sysctl')
        return
        ;;
    '--stop-signal')
        return
        ;;
    '--stop-timeout')
        return
        ;;
    '--network'|'--net')
        __swdock_add_completions -W "$(__swdock_custom_complete ---completion container create -- --network "${COMP_CWORD}" "$(__swdock_cursor_index_in_current_word)")"
        return
        ;;
    '--network-alias')
        return
        ;;
    '--ip')
        return
        ;;
    '--mac-address')
        return
        ;;
    '--expose')
        return
        ;;
    '--dns-search')
        return
        ;;
    '--dns-option')
        return
        ;;
    '--runtime')
        return
        ;;
    '--platform')
        return
        ;;
    '--pull')
        return
        ;;
    '--log-driver')
        return
        ;;
    '--log-opt')
        return
        ;;
    '--shm-size')
        return
        ;;
    '--oom-score-adj')
        return
        ;;
    '--restart')
        return
        ;;
    '--label-file')
        return
        ;;
    '-p'|'--publish')
        return
        ;;
    '--dns')
        return
        ;;
    '--add-host')
        return
        ;;
    '--group-add')
        return
        ;;
    '--cgroupns')
        return
        ;;
    '--cgroup-parent')
        return
        ;;
    '--ipc')
        return
        ;;
    '--pid')
        return
        ;;
    '--uts')
        return
        ;;
    esac

    # Offer positional completions
    case "${positional_number}" in
    1)
        __swdock_add_completions -W "$(__swdock_custom_complete ---completion container create -- positional@0 "${COMP_CWORD}" "$(__swdock_cursor_index_in_current_word)")"
        return
        ;;
    esac
}

_swdock_container_start() {
    repeating_flags=()
    non_repeating_flags=(-a --attach -i --interactive --version -h --help)
    repeating_options=()
    non_repeating_options=(-H --host --detach-keys)
    __swdock_offer_flags_options -1

    # Offer option value completions
    case "${prev}" in
    '-H'|'--host')
        return
        ;;
    '--detach-keys')
        return
        ;;
    esac

    # Offer positional completions
    case "${positional_number}" in
    *)
        __swdock_add_completions -W "$(__swdock_custom_complete ---completion container start -- positional@0 "${COMP_CWORD}" "$(__swdock_cursor_index_in_current_word)")"
        return
        ;;
    esac
}

_swdock_container_stop() {
    repeating_flags=()
    non_repeating_flags=(--version -h --help)
    repeating_options=()
    non_repeating_options=(-H --host -t --time --timeout -s --signal)
    __swdock_offer_flags_options -1

    # Offer option value completions
    case "${prev}" in
    '-H'|'--host')
        return
        ;;
    '-t'|'--time'|'--timeout')
        return
        ;;
    '-s'|'--signal')
        return
        ;;
    esac

    # Offer positional completions
    case "${positional_number}" in
    *)
        __swdock_add_completions -W "$(__swdock_custom_complete ---completion container stop -- positional@0 "${COMP_CWORD}" "$(__swdock_cursor_index_in_current_word)")"
        return
        ;;
    esac
}

_swdock_container_restart() {
    repeating_flags=()
    non_repeating_flags=(--version -h --help)
    repeating_options=()
    non_repeating_options=(-H --host -t --time --timeout -s --signal)
    __swdock_offer_flags_options -1

    # Offer option value completions
    case "${prev}" in
    '-H'|'--host')
        return
        ;;
    '-t'|'--time'|'--timeout')
        return
        ;;
    '-s'|'--signal')
        return
        ;;
    esac

    # Offer positional completions
    case "${positional_number}" in
    *)
        __swdock_add_completions -W "$(__swdock_custom_complete ---completion container restart -- positional@0 "${COMP_CWORD}" "$(__swdock_cursor_index_in_current_word)")"
        return
        ;;
    esac
}

_swdock_container_kill() {
    repeating_flags=()
    non_repeating_flags=(--version -h --help)
    repeating_options=()
    non_repeating_options=(-H --host -s --signal)
    __swdock_offer_flags_options -1

    # Offer option value completions
    case "${prev}" in
    '-H'|'--host')
        return
        ;;
    '-s'|'--signal')
        return
        ;;
    esac

    # Offer positional completions
    case "${positional_number}" in
    *)
        __swdock_add_completions -W "$(__swdock_custom_complete ---completion container kill -- positional@0 "${COMP_CWORD}" "$(__swdock_cursor_index_in_current_word)")"
        return
        ;;
    esac
}

_swdock_container_rm() {
    repeating_flags=()
    non_repeating_flags=(-f --force -v --volumes -l --link --version -h --help)
    repeating_options=()
    non_repeating_options=(-H --host)
    __swdock_offer_flags_options -1

    # Offer option value completions
    case "${prev}" in
    '-H'|'--host')
        return
        ;;
    esac

    # Offer positional completions
    case "${positional_number}" in
    *)
        __swdock_add_completions -W "$(__swdock_custom_complete ---completion container rm -- positional@0 "${COMP_CWORD}" "$(__swdock_cursor_index_in_current_word)")"
        return
        ;;
    esac
}

_swdock_container_ls() {
    repeating_flags=()
    non_repeating_flags=(-a --all -q --quiet -l --latest -s --size --no-trunc --version -h --help)
    repeating_options=(-f --filter)
    non_repeating_options=(-H --host -n --last --format)
    __swdock_offer_flags_options 0

    # Offer option value completions
    case "${prev}" in
    '-H'|'--host')
        return
        ;;
    '-n'|'--last')
        return
        ;;
    '-f'|'--filter')
        return
        ;;
    '--format')
        return
        ;;
    esac
}

_swdock_container_logs() {
    repeating_flags=()
    non_repeating_flags=(-f --follow -t --timestamps --details --version -h --help)
    repeating_options=()
    non_repeating_options=(-H --host -n --tail --since --until)
    __swdock_offer_flags_options 1

    # Offer option value completions
    case "${prev}" in
    '-H'|'--host')
        return
        ;;
    '-n'|'--tail')
        return
        ;;
    '--since')
        return
        ;;
    '--until')
        return
        ;;
    esac

    # Offer positional completions
    case "${positional_number}" in
    1)
        __swdock_add_completions -W "$(__swdock_custom_complete ---completion container logs -- positional@0 "${COMP_CWORD}" "$(__swdock_cursor_index_in_current_word)")"
        return
        ;;
    esac
}

_swdock_container_inspect() {
    repeating_flags=()
    non_repeating_flags=(-s --size --version -h --help)
    repeating_options=()
    non_repeating_options=(-H --host -f --format)
    __swdock_offer_flags_options -1

    # Offer option value completions
    case "${prev}" in
    '-H'|'--host')
        return
        ;;
    '-f'|'--format')
        return
        ;;
    esac

    # Offer positional completions
    case "${positional_number}" in
    *)
        __swdock_add_completions -W "$(__swdock_custom_complete ---completion container inspect -- positional@0 "${COMP_CWORD}" "$(__swdock_cursor_index_in_current_word)")"
        return
        ;;
    esac
}

_swdock_container_top() {
    repeating_flags=()
    non_repeating_flags=(--version -h --help)
    repeating_options=()
    non_repeating_options=(-H --host)
    __swdock_offer_flags_options -1

    # Offer option value completions
    case "${prev}" in
    '-H'|'--host')
        return
        ;;
    esac

    # Offer positional completions
    case "${positional_number}" in
    1)
        __swdock_add_completions -W "$(__swdock_custom_complete ---completion container top -- positional@0 "${COMP_CWORD}" "$(__swdock_cursor_index_in_current_word)")"
        return
        ;;
    esac
}

_swdock_container_rename() {
    repeating_flags=()
    non_repeating_flags=(--version -h --help)
    repeating_options=()
    non_repeating_options=(-H --host)
    __swdock_offer_flags_options 2

    # Offer option value completions
    case "${prev}" in
    '-H'|'--host')
        return
        ;;
    esac

    # Offer positional completions
    case "${positional_number}" in
    1)
        __swdock_add_completions -W "$(__swdock_custom_complete ---completion container rename -- positional@0 "${COMP_CWORD}" "$(__swdock_cursor_index_in_current_word)")"
        return
        ;;
    esac
}

_swdock_container_wait() {
    repeating_flags=()
    non_repeating_flags=(--version -h --help)
    repeating_options=()
    non_repeating_options=(-H --host)
    __swdock_offer_flags_options -1

    # Offer option value completions
    case "${prev}" in
    '-H'|'--host')
        return
        ;;
    esac

    # Offer positional completions
    case "${positional_number}" in
    *)
        __swdock_add_completions -W "$(__swdock_custom_complete ---completion container wait -- positional@0 "${COMP_CWORD}" "$(__swdock_cursor_index_in_current_word)")"
        return
        ;;
    esac
}

_swdock_container_prune() {
    repeating_flags=()
    non_repeating_flags=(-f --force --version -h --help)
    repeating_options=(--filter)
    non_repeating_options=(-H --host)
    __swdock_offer_flags_options 0

    # Offer option value completions
    case "${prev}" in
    '-H'|'--host')
        return
        ;;
    '--filter')
        return
        ;;
    esac
}

_swdock_container_cp() {
    repeating_flags=()
    non_repeating_flags=(-a --archive -L --follow-link -q --quiet --version -h --help)
    repeating_options=()
    non_repeating_options=(-H --host)
    __swdock_offer_flags_options 2

    # Offer option value completions
    case "${prev}" in
    '-H'|'--host')
        return
        ;;
    esac
}

_swdock_container_export() {
    repeating_flags=()
    non_repeating_flags=(--version -h --help)
    repeating_options=()
    non_repeating_options=(-H --host -o --output)
    __swdock_offer_flags_options 1

    # Offer option value completions
    case "${prev}" in
    '-H'|'--host')
        return
        ;;
    '-o'|'--output')
        return
        ;;
    esac

    # Offer positional completions
    case "${positional_number}" in
    1)
        __swdock_add_completions -W "$(__swdock_custom_complete ---completion container export -- positional@0 "${COMP_CWORD}" "$(__swdock_cursor_index_in_current_word)")"
        return
        ;;
    esac
}

_swdock_container_diff() {
    repeating_flags=()
    non_repeating_flags=(--version -h --help)
    repeating_options=()
    non_repeating_options=(-H --host)
    __swdock_offer_flags_options 1

    # Offer option value completions
    case "${prev}" in
    '-H'|'--host')
        return
        ;;
    esac

    # Offer positional completions
    case "${positional_number}" in
    1)
        __swdock_add_completions -W "$(__swdock_custom_complete ---completion container diff -- positional@0 "${COMP_CWORD}" "$(__swdock_cursor_index_in_current_word)")"
        return
        ;;
    esac
}

_swdock_container_commit() {
    repeating_flags=()
    non_repeating_flags=(-p --pause --no-pause --version -h --help)
    repeating_options=(-c --change)
    non_repeating_options=(-H --host -a --author -m --message)
    __swdock_offer_flags_options 2

    # Offer option value completions
    case "${prev}" in
    '-H'|'--host')
        return
        ;;
    '-a'|'--author')
        return
        ;;
    '-c'|'--change')
        return
        ;;
    '-m'|'--message')
        return
        ;;
    esac

    # Offer positional completions
    case "${positional_number}" in
    1)
        __swdock_add_completions -W "$(__swdock_custom_complete ---completion container commit -- positional@0 "${COMP_CWORD}" "$(__swdock_cursor_index_in_current_word)")"
        return
        ;;
    esac
}

_swdock_image() {
    repeating_flags=()
    non_repeating_flags=(--version -h --help)
    repeating_options=()
    non_repeating_options=()
    __swdock_offer_flags_options 0

    # Offer subcommand / subcommand argument completions
    local -r subcommand="${unparsed_words[0]}"
    unset 'unparsed_words[0]'
    unparsed_words=("${unparsed_words[@]}")
    case "${subcommand}" in
    pull|ls|inspect|tag|rm|prune|history|import)
        # Offer subcommand argument completions
        "_swdock_image_${subcommand}"
        ;;
    *)
        # Offer subcommand completions
        COMPREPLY+=($(compgen -W 'pull ls inspect tag rm prune history import' -- "${cur}"))
        ;;
    esac
}

_swdock_image_pull() {
    repeating_flags=()
    non_repeating_flags=(-a --all-tags -q --quiet --disable-content-trust --version -h --help)
    repeating_options=()
    non_repeating_options=(-H --host --platform)
    __swdock_offer_flags_options 1

    # Offer option value completions
    case "${prev}" in
    '-H'|'--host')
        return
        ;;
    '--platform')
        return
        ;;
    esac
}

_swdock_image_ls() {
    repeating_flags=()
    non_repeating_flags=(-a --all -q --quiet --digests --no-trunc --version -h --help)
    repeating_options=(-f --filter)
    non_repeating_options=(-H --host --format)
    __swdock_offer_flags_options 1

    # Offer option value completions
    case "${prev}" in
    '-H'|'--host')
        return
        ;;
    '-f'|'--filter')
        return
        ;;
    '--format')
        return
        ;;
    esac
}

_swdock_image_inspect() {
    repeating_flags=()
    non_repeating_flags=(-s --size --version -h --help)
    repeating_options=()
    non_repeating_options=(-H --host -f --format)
    __swdock_offer_flags_options -1

    # Offer option value completions
    case "${prev}" in
    '-H'|'--host')
        return
        ;;
    '-f'|'--format')
        return
        ;;
    esac

    # Offer positional completions
    case "${positional_number}" in
    *)
        __swdock_add_completions -W "$(__swdock_custom_complete ---completion image inspect -- positional@0 "${COMP_CWORD}" "$(__swdock_cursor_index_in_current_word)")"
        return
        ;;
    esac
}

_swdock_image_tag() {
    repeating_flags=()
    non_repeating_flags=(--version -h --help)
    repeating_options=()
    non_repeating_options=(-H --host)
    __swdock_offer_flags_options 2

    # Offer option value completions
    case "${prev}" in
    '-H'|'--host')
        return
        ;;
    esac

    # Offer positional completions
    case "${positional_number}" in
    1)
        __swdock_add_completions -W "$(__swdock_custom_complete ---completion image tag -- positional@0 "${COMP_CWORD}" "$(__swdock_cursor_index_in_current_word)")"
        return
        ;;
    esac
}

_swdock_image_rm() {
    repeating_flags=()
    non_repeating_flags=(-f --force --no-prune --version -h --help)
    repeating_options=()
    non_repeating_options=(-H --host)
    __swdock_offer_flags_options -1

    # Offer option value completions
    case "${prev}" in
    '-H'|'--host')
        return
        ;;
    esac

    # Offer positional completions
    case "${positional_number}" in
    *)
        __swdock_add_completions -W "$(__swdock_custom_complete ---completion image rm -- positional@0 "${COMP_CWORD}" "$(__swdock_cursor_index_in_current_word)")"
        return
        ;;
    esac
}

_swdock_image_prune() {
    repeating_flags=()
    non_repeating_flags=(-a --all -f --force --version -h --help)
    repeating_options=(--filter)
    non_repeating_options=(-H --host)
    __swdock_offer_flags_options 0

    # Offer option value completions
    case "${prev}" in
    '-H'|'--host')
        return
        ;;
    '--filter')
        return
        ;;
    esac
}

_swdock_image_history() {
    repeating_flags=()
    non_repeating_flags=(--no-trunc -q --quiet --human --no-human --version -h --help)
    repeating_options=()
    non_repeating_options=(-H --host --format)
    __swdock_offer_flags_options 1

    # Offer option value completions
    case "${prev}" in
    '-H'|'--host')
        return
        ;;
    '--format')
        return
        ;;
    esac

    # Offer positional completions
    case "${positional_number}" in
    1)
        __swdock_add_completions -W "$(__swdock_custom_complete ---completion image history -- positional@0 "${COMP_CWORD}" "$(__swdock_cursor_index_in_current_word)")"
        return
        ;;
    esac
}

_swdock_image_import() {
    repeating_flags=()
    non_repeating_flags=(--version -h --help)
    repeating_options=(-c --change)
    non_repeating_options=(-H --host -m --message --platform)
    __swdock_offer_flags_options 2

    # Offer option value completions
    case "${prev}" in
    '-H'|'--host')
        return
        ;;
    '-c'|'--change')
        return
        ;;
    '-m'|'--message')
        return
        ;;
    '--platform')
        return
        ;;
    esac
}

_swdock_system() {
    repeating_flags=()
    non_repeating_flags=(--version -h --help)
    repeating_options=()
    non_repeating_options=()
    __swdock_offer_flags_options 0

    # Offer subcommand / subcommand argument completions
    local -r subcommand="${unparsed_words[0]}"
    unset 'unparsed_words[0]'
    unparsed_words=("${unparsed_words[@]}")
    case "${subcommand}" in
    df|info)
        # Offer subcommand argument completions
        "_swdock_system_${subcommand}"
        ;;
    *)
        # Offer subcommand completions
        COMPREPLY+=($(compgen -W 'df info' -- "${cur}"))
        ;;
    esac
}

_swdock_system_df() {
    repeating_flags=()
    non_repeating_flags=(-v --verbose --version -h --help)
    repeating_options=()
    non_repeating_options=(-H --host --format)
    __swdock_offer_flags_options 0

    # Offer option value completions
    case "${prev}" in
    '-H'|'--host')
        return
        ;;
    '--format')
        return
        ;;
    esac
}

_swdock_system_info() {
    repeating_flags=()
    non_repeating_flags=(--version -h --help)
    repeating_options=()
    non_repeating_options=(-H --host -f --format)
    __swdock_offer_flags_options 0

    # Offer option value completions
    case "${prev}" in
    '-H'|'--host')
        return
        ;;
    '-f'|'--format')
        return
        ;;
    esac
}

_swdock_volume() {
    repeating_flags=()
    non_repeating_flags=(--version -h --help)
    repeating_options=()
    non_repeating_options=()
    __swdock_offer_flags_options 0

    # Offer subcommand / subcommand argument completions
    local -r subcommand="${unparsed_words[0]}"
    unset 'unparsed_words[0]'
    unparsed_words=("${unparsed_words[@]}")
    case "${subcommand}" in
    create|ls|inspect|rm|prune)
        # Offer subcommand argument completions
        "_swdock_volume_${subcommand}"
        ;;
    *)
        # Offer subcommand completions
        COMPREPLY+=($(compgen -W 'create ls inspect rm prune' -- "${cur}"))
        ;;
    esac
}

_swdock_volume_create() {
    repeating_flags=()
    non_repeating_flags=(--version -h --help)
    repeating_options=(--label -o --opt)
    non_repeating_options=(-H --host --name -d --driver)
    __swdock_offer_flags_options 1

    # Offer option value completions
    case "${prev}" in
    '-H'|'--host')
        return
        ;;
    '--name')
        return
        ;;
    '-d'|'--driver')
        return
        ;;
    '--label')
        return
        ;;
    '-o'|'--opt')
        return
        ;;
    esac
}

_swdock_volume_ls() {
    repeating_flags=()
    non_repeating_flags=(-q --quiet --version -h --help)
    repeating_options=(-f --filter)
    non_repeating_options=(-H --host --format)
    __swdock_offer_flags_options 0

    # Offer option value completions
    case "${prev}" in
    '-H'|'--host')
        return
        ;;
    '-f'|'--filter')
        return
        ;;
    '--format')
        return
        ;;
    esac
}

_swdock_volume_inspect() {
    repeating_flags=()
    non_repeating_flags=(--version -h --help)
    repeating_options=()
    non_repeating_options=(-H --host -f --format)
    __swdock_offer_flags_options -1

    # Offer option value completions
    case "${prev}" in
    '-H'|'--host')
        return
        ;;
    '-f'|'--format')
        return
        ;;
    esac

    # Offer positional completions
    case "${positional_number}" in
    *)
        __swdock_add_completions -W "$(__swdock_custom_complete ---completion volume inspect -- positional@0 "${COMP_CWORD}" "$(__swdock_cursor_index_in_current_word)")"
        return
        ;;
    esac
}

_swdock_volume_rm() {
    repeating_flags=()
    non_repeating_flags=(-f --force --version -h --help)
    repeating_options=()
    non_repeating_options=(-H --host)
    __swdock_offer_flags_options -1

    # Offer option value completions
    case "${prev}" in
    '-H'|'--host')
        return
        ;;
    esac

    # Offer positional completions
    case "${positional_number}" in
    *)
        __swdock_add_completions -W "$(__swdock_custom_complete ---completion volume rm -- positional@0 "${COMP_CWORD}" "$(__swdock_cursor_index_in_current_word)")"
        return
        ;;
    esac
}

_swdock_volume_prune() {
    repeating_flags=()
    non_repeating_flags=(-a --all -f --force --version -h --help)
    repeating_options=(--filter)
    non_repeating_options=(-H --host)
    __swdock_offer_flags_options 0

    # Offer option value completions
    case "${prev}" in
    '-H'|'--host')
        return
        ;;
    '--filter')
        return
        ;;
    esac
}

_swdock_events() {
    repeating_flags=()
    non_repeating_flags=(--version -h --help)
    repeating_options=(-f --filter)
    non_repeating_options=(-H --host --since --until --format)
    __swdock_offer_flags_options 0

    # Offer option value completions
    case "${prev}" in
    '-H'|'--host')
        return
        ;;
    '--since')
        return
        ;;
    '--until')
        return
        ;;
    '-f'|'--filter')
        return
        ;;
    '--format')
        return
        ;;
    esac
}

_swdock_network() {
    repeating_flags=()
    non_repeating_flags=(--version -h --help)
    repeating_options=()
    non_repeating_options=()
    __swdock_offer_flags_options 0

    # Offer subcommand / subcommand argument completions
    local -r subcommand="${unparsed_words[0]}"
    unset 'unparsed_words[0]'
    unparsed_words=("${unparsed_words[@]}")
    case "${subcommand}" in
    create|ls|inspect|rm|prune|connect|disconnect)
        # Offer subcommand argument completions
        "_swdock_network_${subcommand}"
        ;;
    *)
        # Offer subcommand completions
        COMPREPLY+=($(compgen -W 'create ls inspect rm prune connect disconnect' -- "${cur}"))
        ;;
    esac
}

_swdock_network_create() {
    repeating_flags=()
    non_repeating_flags=(--internal --version -h --help)
    repeating_options=(--label -o --opt)
    non_repeating_options=(-H --host -d --driver --subnet --gateway --ip-range)
    __swdock_offer_flags_options 1

    # Offer option value completions
    case "${prev}" in
    '-H'|'--host')
        return
        ;;
    '-d'|'--driver')
        return
        ;;
    '--subnet')
        return
        ;;
    '--gateway')
        return
        ;;
    '--ip-range')
        return
        ;;
    '--label')
        return
        ;;
    '-o'|'--opt')
        return
        ;;
    esac
}

_swdock_network_ls() {
    repeating_flags=()
    non_repeating_flags=(-q --quiet --no-trunc --version -h --help)
    repeating_options=(-f --filter)
    non_repeating_options=(-H --host --format)
    __swdock_offer_flags_options 0

    # Offer option value completions
    case "${prev}" in
    '-H'|'--host')
        return
        ;;
    '-f'|'--filter')
        return
        ;;
    '--format')
        return
        ;;
    esac
}

_swdock_network_inspect() {
    repeating_flags=()
    non_repeating_flags=(--version -h --help)
    repeating_options=()
    non_repeating_options=(-H --host -f --format)
    __swdock_offer_flags_options -1

    # Offer option value completions
    case "${prev}" in
    '-H'|'--host')
        return
        ;;
    '-f'|'--format')
        return
        ;;
    esac
}

_swdock_network_rm() {
    repeating_flags=()
    non_repeating_flags=(--version -h --help)
    repeating_options=()
    non_repeating_options=(-H --host)
    __swdock_offer_flags_options -1

    # Offer option value completions
    case "${prev}" in
    '-H'|'--host')
        return
        ;;
    esac
}

_swdock_network_prune() {
    repeating_flags=()
    non_repeating_flags=(-f --force --version -h --help)
    repeating_options=(--filter)
    non_repeating_options=(-H --host)
    __swdock_offer_flags_options 0

    # Offer option value completions
    case "${prev}" in
    '-H'|'--host')
        return
        ;;
    '--filter')
        return
        ;;
    esac
}

_swdock_network_connect() {
    repeating_flags=()
    non_repeating_flags=(--version -h --help)
    repeating_options=(--alias)
    non_repeating_options=(-H --host --ip)
    __swdock_offer_flags_options 2

    # Offer option value completions
    case "${prev}" in
    '-H'|'--host')
        return
        ;;
    '--ip')
        return
        ;;
    '--alias')
        return
        ;;
    esac
}

_swdock_network_disconnect() {
    repeating_flags=()
    non_repeating_flags=(-f --force --version -h --help)
    repeating_options=()
    non_repeating_options=(-H --host)
    __swdock_offer_flags_options 2

    # Offer option value completions
    case "${prev}" in
    '-H'|'--host')
        return
        ;;
    esac
}

_swdock_port() {
    repeating_flags=()
    non_repeating_flags=(--version -h --help)
    repeating_options=()
    non_repeating_options=(-H --host)
    __swdock_offer_flags_options 2

    # Offer option value completions
    case "${prev}" in
    '-H'|'--host')
        return
        ;;
    esac
}

_swdock_exec() {
    repeating_flags=()
    non_repeating_flags=(-d --detach -i --interactive -t --tty --privileged --version -h --help)
    repeating_options=(-e --env)
    non_repeating_options=(-H --host -u --user -w --workdir --detach-keys)
    __swdock_offer_flags_options -1

    # Offer option value completions
    case "${prev}" in
    '-H'|'--host')
        return
        ;;
    '-e'|'--env')
        return
        ;;
    '-u'|'--user')
        return
        ;;
    '-w'|'--workdir')
        return
        ;;
    '--detach-keys')
        return
        ;;
    esac
}

_swdock_attach() {
    repeating_flags=()
    non_repeating_flags=(--no-stdin --version -h --help)
    repeating_options=()
    non_repeating_options=(-H --host --sig-proxy --detach-keys)
    __swdock_offer_flags_options 1

    # Offer option value completions
    case "${prev}" in
    '-H'|'--host')
        return
        ;;
    '--sig-proxy')
        return
        ;;
    '--detach-keys')
        return
        ;;
    esac
}

_swdock_pause() {
    repeating_flags=()
    non_repeating_flags=(--version -h --help)
    repeating_options=()
    non_repeating_options=(-H --host)
    __swdock_offer_flags_options -1

    # Offer option value completions
    case "${prev}" in
    '-H'|'--host')
        return
        ;;
    esac
}

_swdock_unpause() {
    repeating_flags=()
    non_repeating_flags=(--version -h --help)
    repeating_options=()
    non_repeating_options=(-H --host)
    __swdock_offer_flags_options -1

    # Offer option value completions
    case "${prev}" in
    '-H'|'--host')
        return
        ;;
    esac
}

_swdock_stats() {
    repeating_flags=()
    non_repeating_flags=(--no-stream --version -h --help)
    repeating_options=()
    non_repeating_options=(-H --host --format)
    __swdock_offer_flags_options -1

    # Offer option value completions
    case "${prev}" in
    '-H'|'--host')
        return
        ;;
    '--format')
        return
        ;;
    esac
}

_swdock_cp() {
    repeating_flags=()
    non_repeating_flags=(-a --archive -L --follow-link -q --quiet --version -h --help)
    repeating_options=()
    non_repeating_options=(-H --host)
    __swdock_offer_flags_options 2

    # Offer option value completions
    case "${prev}" in
    '-H'|'--host')
        return
        ;;
    esac
}

_swdock_export() {
    repeating_flags=()
    non_repeating_flags=(--version -h --help)
    repeating_options=()
    non_repeating_options=(-H --host -o --output)
    __swdock_offer_flags_options 1

    # Offer option value completions
    case "${prev}" in
    '-H'|'--host')
        return
        ;;
    '-o'|'--output')
        return
        ;;
    esac

    # Offer positional completions
    case "${positional_number}" in
    1)
        __swdock_add_completions -W "$(__swdock_custom_complete ---completion export -- positional@0 "${COMP_CWORD}" "$(__swdock_cursor_index_in_current_word)")"
        return
        ;;
    esac
}

_swdock_diff() {
    repeating_flags=()
    non_repeating_flags=(--version -h --help)
    repeating_options=()
    non_repeating_options=(-H --host)
    __swdock_offer_flags_options 1

    # Offer option value completions
    case "${prev}" in
    '-H'|'--host')
        return
        ;;
    esac

    # Offer positional completions
    case "${positional_number}" in
    1)
        __swdock_add_completions -W "$(__swdock_custom_complete ---completion diff -- positional@0 "${COMP_CWORD}" "$(__swdock_cursor_index_in_current_word)")"
        return
        ;;
    esac
}

_swdock_commit() {
    repeating_flags=()
    non_repeating_flags=(-p --pause --no-pause --version -h --help)
    repeating_options=(-c --change)
    non_repeating_options=(-H --host -a --author -m --message)
    __swdock_offer_flags_options 2

    # Offer option value completions
    case "${prev}" in
    '-H'|'--host')
        return
        ;;
    '-a'|'--author')
        return
        ;;
    '-c'|'--change')
        return
        ;;
    '-m'|'--message')
        return
        ;;
    esac

    # Offer positional completions
    case "${positional_number}" in
    1)
        __swdock_add_completions -W "$(__swdock_custom_complete ---completion commit -- positional@0 "${COMP_CWORD}" "$(__swdock_cursor_index_in_current_word)")"
        return
        ;;
    esac
}

_swdock_import() {
    repeating_flags=()
    non_repeating_flags=(--version -h --help)
    repeating_options=(-c --change)
    non_repeating_options=(-H --host -m --message --platform)
    __swdock_offer_flags_options 2

    # Offer option value completions
    case "${prev}" in
    '-H'|'--host')
        return
        ;;
    '-c'|'--change')
        return
        ;;
    '-m'|'--message')
        return
        ;;
    '--platform')
        return
        ;;
    esac
}

_swdock_help() {
    repeating_flags=()
    non_repeating_flags=(--version)
    repeating_options=()
    non_repeating_options=()
    __swdock_offer_flags_options -1
}

complete -o filenames -F _swdock swdock
