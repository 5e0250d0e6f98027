# modctl(8) completion                                     -*- shell-script -*-
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# Commands, their options, loaded module names (from /proc/modules, without
# running modctl), column names for list -o and durations for unload -t.

# The command: the first word after modctl that is not an option.
function __modctl_command
    for w in (commandline -opc)[2..-1]
        switch $w
            case '-*'
                continue
            case '*'
                echo $w
                return 0
        end
    end
    return 1
end

function __modctl_using
    test "$(__modctl_command)" = $argv[1]
end

# Loaded modules not already named on the command line.
function __modctl_modules
    test -r /proc/modules; or return
    set -l given (string replace -a -- - _ (commandline -opc)[2..-1])
    for m in (string split -f1 ' ' </proc/modules)
        contains -- $m $given; or echo $m
    end
end

# A comma-separated column list, optionally starting with "+".
function __modctl_columns
    set -l cols \
        NAME\t'module name' \
        SIZE\t'memory used by the module, in bytes' \
        REFCNT\t'reference count' \
        STATE\t'live, coming or going' \
        USED\t'number of modules using it' \
        HOLDERS\t'modules using it' \
        LOCK\t'no, locked or sealed' \
        TAINT\t'taint flags the module carries' \
        PERMANENT\t'has init but no exit: can never be unloaded' \
        VERSION\t'module version' \
        SRCVERSION\t'checksum of the module source' \
        PATH\t'module file in the module directory' \
        PARAMETERS\t'readable parameters as NAME=VALUE'
    # The value typed so far, without the option that introduces it.
    set -l tok (commandline -ct | string replace -r -- '^(--output=|-[JrnHhvq]*o)' '')
    set -l prefix (string match -r -- '^.*,|^\+' $tok)
    set -l given (string split , -- (string upper -- (string trim -l -c + -- $tok)))
    for c in $cols
        set -l name (string split -f1 \t -- $c)
        contains -- $name $given; and continue
        printf '%s%s\n' "$prefix" $c
    end
end

complete -c modctl -f

# Global options, and the commands.
complete -c modctl -n "not __modctl_command" -s V -l version -d 'show the version and exit'
complete -c modctl -s h -l help -d 'show help and exit'
complete -c modctl -l usage -d 'show a short usage message and exit'
complete -c modctl -s v -l verbose -d 'say more (repeat for debug messages)'
complete -c modctl -s q -l quiet -d 'say only errors'

complete -c modctl -n "not __modctl_command" -a list -d 'show loaded modules as a table'
complete -c modctl -n "not __modctl_command" -a status -d 'show modules in detail, or the module policy'
complete -c modctl -n "not __modctl_command" -a refcnt -d 'print the reference count of modules'
complete -c modctl -n "not __modctl_command" -a unload -d 'unload modules, waiting while they are in use'

# Every command takes loaded modules.
complete -c modctl -n __modctl_command -a "(__modctl_modules)" -d 'loaded module'

# list
complete -c modctl -n "__modctl_using list" -s o -l output -x -a "(__modctl_columns)" -d 'columns to show (+LIST adds to the default)'
complete -c modctl -n "__modctl_using list" -l output-all -d 'show every column'
complete -c modctl -n "__modctl_using list" -s J -l json -d 'print JSON'
complete -c modctl -n "__modctl_using list" -s r -l raw -d 'print raw output'
complete -c modctl -n "__modctl_using list" -s n -l noheadings -d 'do not print the heading line'
complete -c modctl -n "__modctl_using list" -s H -l list-columns -d 'list the columns and what they mean'

# status
complete -c modctl -n "__modctl_using status" -s J -l json -d 'print JSON'

# unload
# Durations: a number with ms, s or m (bare: seconds), or infinity.
complete -c modctl -n "__modctl_using unload" -s t -l timeout -x -k \
    -a "0\t'one attempt, no waiting'
        1s\t'one second'
        5s\t'five seconds'
        10s\t'ten seconds (default)'
        30s\t'thirty seconds'
        1m\t'one minute'
        5m\t'five minutes'
        infinity\t'wait until free or interrupted'" \
    -d 'wait at most T for references to go'
complete -c modctl -n "__modctl_using unload" -l poll-max -x -k \
    -a "1ms\t'one millisecond'
        5ms\t'five milliseconds'
        10ms\t'ten milliseconds (default)'
        50ms\t'fifty milliseconds'
        100ms\t'a tenth of a second'" \
    -d 'longest pause between two looks at a busy module'
complete -c modctl -n "__modctl_using unload" -l with-deps -d 'also unload dependencies that are left unused'
complete -c modctl -n "__modctl_using unload" -s n -l dry-run -d 'print what would be unloaded, in order, and do nothing'
complete -c modctl -n "__modctl_using unload" -s f -l force -d 'unload modules even if modctl lockdown locked them'
complete -c modctl -n "__modctl_using unload" -l kernel-force -d 'ask the kernel to drop a module despite references (taints the kernel)'
