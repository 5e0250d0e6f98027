# modctl(8) completion                                     -*- shell-script -*-
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# Commands and their options; loaded modules (from /proc/modules), modules
# of the module directory (from modules.dep) and module files for load,
# locked modules (from the lockdown registry) for unlock, column names for
# list -o, STATE for wait --for and durations. Nothing runs modctl.

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

# Print the module names given as arguments that are not on the command line
# yet ("-" and "_" are the same in module names), each once.
function __modctl_new_names
    set -l given (string replace -a -- - _ (commandline -opc)[2..-1])
    for m in $argv
        string match -qr -- '^[[:alnum:]_-]+$' $m; or continue
        set -l k (string replace -a -- - _ $m)
        contains -- $k $given; and continue
        set -a given $k
        echo $m
    end
end

# Loaded modules.
function __modctl_loaded_list
    test -r /proc/modules; or return 1
    string split -f1 ' ' </proc/modules
end

# Modules of the module directory: modules.dep names each module file first
# on its line, as kernel/.../NAME.ko (or .ko.xz, .ko.zst, .ko.gz).
function __modctl_available_list
    set -l dep /lib/modules/(uname -r)/modules.dep
    test -r $dep; or return 1
    string replace -r -- ':.*' '' <$dep | string replace -r -- '^.*/' '' | string replace -r -- '\.ko(\.\w+)?$' ''
end

# Locked modules ("lock NAME" lines of the registry).
function __modctl_locked_list
    test -r /run/modctl/locks; or return 1
    string replace -rf -- '^lock\s+(\S+)$' '$1' </run/modctl/locks
end

function __modctl_modules
    __modctl_new_names (__modctl_loaded_list)
end

# unlock: locked modules, or loaded ones if the registry cannot be read.
function __modctl_locked
    if test -r /run/modctl/locks
        __modctl_new_names (__modctl_locked_list)
    else
        printf '%s\tloaded module\n' (__modctl_new_names (__modctl_loaded_list))
    end
end

# The STATE of wait --for on the command line (default loaded).
function __modctl_wait_for
    set -l f loaded
    set -l next 0
    for w in (commandline -opc)[2..-1]
        if test $next = 1
            set f $w
            set next 0
        end
        switch $w
            case '--for=*'
                set f (string replace -- '--for=' '' $w)
            case --for
                set next 1
        end
    end
    echo $f
end

# wait: modules that may come (--for=loaded) or loaded ones.
function __modctl_wait_modules
    if test (__modctl_wait_for) = loaded
        __modctl_new_names (__modctl_available_list) (__modctl_loaded_list)
    else
        __modctl_new_names (__modctl_loaded_list)
    end
end

# The word being completed looks like PARAM=VALUE or a path (load).
function __modctl_token_is_param
    string match -q -- '*=*' (commandline -ct)
end

function __modctl_token_is_path
    string match -qr -- '^[.~]|/' (commandline -ct)
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
        LOCK\t'no, pinned, locked or sealed' \
        TAINT\t'taint flags the module carries' \
        PERMANENT\t'has init but no exit: can never be unloaded' \
        VERSION\t'module version' \
        SRCVERSION\t'checksum of the module source' \
        PATH\t'module file in the module directory' \
        PARAMETERS\t'readable parameters as NAME=VALUE' \
        PIN\t'the kernel hold on a lock: live, orphan, stale, none, unknown' \
        PIN_TYPE\t'program or link' \
        PIN_FUNCTION\t'the module function the pin targets' \
        PIN_PATH\t'the pin in bpffs' \
        PIN_NOTE\t'why a lock is registry-only, or what a pin means'
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

# Module files and directories for a path given to load.
function __modctl_module_files
    complete -C "__fish_command_without_completions "(commandline -ct) |
        string replace -r -- '\t.*' '' |
        string match -r -- '^.*(/|\.ko|\.ko\.(xz|zst|gz))$'
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
complete -c modctl -n "not __modctl_command" -a load -d 'load modules with their dependencies'
complete -c modctl -n "not __modctl_command" -a unload -d 'unload modules, waiting while they are in use'
complete -c modctl -n "not __modctl_command" -a lockdown -d 'lock modules against unloading; seal the kernel'
complete -c modctl -n "not __modctl_command" -a unlock -d "remove modctl's locks"
complete -c modctl -n "not __modctl_command" -a wait -d 'wait until modules are loaded, unloaded or unused'
complete -c modctl -n "not __modctl_command" -a monitor -d 'print module events as they happen'

# Arguments: loaded modules, except for load, unlock, wait and monitor.
complete -c modctl -n "__modctl_command >/dev/null; and not contains -- (__modctl_command) load unlock wait monitor" \
    -a "(__modctl_modules)" -d 'loaded module'

# list
complete -c modctl -n "__modctl_using list" -s o -l output -x -a "(__modctl_columns)" -d 'columns to show (+LIST adds to the default)'
complete -c modctl -n "__modctl_using list" -l output-all -d 'show every column'
complete -c modctl -n "__modctl_using list" -s J -l json -d 'print JSON'
complete -c modctl -n "__modctl_using list" -s r -l raw -d 'print raw output'
complete -c modctl -n "__modctl_using list" -s n -l noheadings -d 'do not print the heading line'
complete -c modctl -n "__modctl_using list" -s H -l list-columns -d 'list the columns and what they mean'

# status
complete -c modctl -n "__modctl_using status" -s J -l json -d 'print JSON'
complete -c modctl -n "__modctl_using status" -l holders-budget -r \
    -a "0\t'the dependent modules only'
        500ms\t'half a second'
        2s\t'two seconds (default)'
        10s\t'ten seconds'
        infinity\t'no limit'" \
    -d 'look for who holds a module for at most T'

# load: modules of the module directory; files for a path; PARAM=VALUE.
complete -c modctl -n "__modctl_using load; and not __modctl_token_is_param; and not __modctl_token_is_path" \
    -a "(__modctl_new_names (__modctl_available_list))" -d module
complete -c modctl -n "__modctl_using load; and __modctl_token_is_path; and not __modctl_token_is_param" \
    -a "(__modctl_module_files)"
complete -c modctl -n "__modctl_using load" -s n -l dry-run -d 'print what would be loaded, in order, with options, and do nothing'
complete -c modctl -n "__modctl_using load" -l no-deps -d 'load only the named modules, not their dependencies'
complete -c modctl -n "__modctl_using load" -l ignore-install -d 'do not run install commands from modprobe.d'
complete -c modctl -n "__modctl_using load" -l lockdown -d 'lock each module loaded'
# --settle takes its value only after "=" (--settle=T): no -r here.
complete -c modctl -n "__modctl_using load" -l settle -k \
    -a "1s\t'one second'
        5s\t'five seconds'
        10s\t'ten seconds'
        30s\t'thirty seconds (default)'
        1m\t'one minute'
        5m\t'five minutes'
        infinity\t'no limit'" \
    -d 'then wait until udev has processed the events, at most T (default 30s)'

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
complete -c modctl -n "__modctl_using unload" -l delete-interfaces -d 'unload modules even if that deletes network interfaces of their link kinds'

# lockdown
complete -c modctl -n "__modctl_using lockdown" -s a -l all -d 'lock every loaded module and turn on lockdown-all mode'
complete -c modctl -n "__modctl_using lockdown" -l seal -d 'with --all: then set kernel.modules_disabled=1 (until reboot)'
complete -c modctl -n "__modctl_using lockdown" -l boot -d 'apply the boot configuration (lockdown.d)'
complete -c modctl -n "__modctl_using lockdown" -l no-pin -d 'lock for modctl and modprobe -r only: no kernel-enforced pin'
complete -c modctl -n "__modctl_using lockdown" -s t -l timeout -x -k \
    -a "10s\t'ten seconds'
        30s\t'thirty seconds (default)'
        1m\t'one minute'
        2m\t'two minutes'
        5m\t'five minutes'
        infinity\t'no limit'" \
    -d 'how long to wait for udev before sealing'
complete -c modctl -n "__modctl_using lockdown" -s n -l dry-run -d 'print what would change and do nothing'

# unlock: locked modules.
complete -c modctl -n "__modctl_using unlock" -a "(__modctl_locked)" -d 'locked module'
complete -c modctl -n "__modctl_using unlock" -s a -l all -d 'remove every lock and leave lockdown-all mode'
complete -c modctl -n "__modctl_using unlock" -s n -l dry-run -d 'print what would change and do nothing'

# wait
complete -c modctl -n "__modctl_using wait" -a "(__modctl_wait_modules)" -d module
complete -c modctl -n "__modctl_using wait" -l for -x -k \
    -a "loaded\t'live (default)'
        unloaded\t'gone from sysfs'
        unused\t'live, no holders, refcnt 0'" \
    -d 'the state to wait for'
complete -c modctl -n "__modctl_using wait" -s t -l timeout -x -k \
    -a "0\t'look once'
        1s\t'one second'
        10s\t'ten seconds'
        30s\t'thirty seconds'
        1m\t'one minute'
        5m\t'five minutes'
        10m\t'ten minutes'
        infinity\t'no limit (default)'" \
    -d 'give up after T (default infinity)'
complete -c modctl -n "__modctl_using wait" -l poll-max -x -k \
    -a "1ms\t'one millisecond'
        10ms\t'ten milliseconds (default for unused)'
        50ms\t'fifty milliseconds'
        100ms\t'a tenth of a second'
        250ms\t'a quarter of a second (default)'
        1s\t'one second'" \
    -d 'longest pause between two looks at sysfs'

# monitor
complete -c modctl -n "__modctl_using monitor" -s J -l json -d 'print one JSON object per line'
