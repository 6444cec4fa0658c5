# bash completion for rekor-server-posix: asks the binary itself (System.CommandLine's [suggest]
# directive), so it always matches the flags of the installed version.
# Install: /usr/share/bash-completion/completions/rekor-server-posix (the .deb does this).
_rekor_server_posix() {
    local line="${COMP_LINE:0:$COMP_POINT}"
    local IFS=$'\n'
    COMPREPLY=($(compgen -W "$("${COMP_WORDS[0]}" "[suggest:${#line}]" "$line" 2>/dev/null)" -- "${COMP_WORDS[COMP_CWORD]}"))
}
complete -o default -F _rekor_server_posix rekor-server-posix
