# bash completion for accrochd(8): commands, their options and sub-actions, and the names of
# the mappings of the configuration after --mapping.
#
# Everything comes from the accrochd being completed, so that the completion never lags behind
# the binary: the commands from `accrochd --help`, a command's options and arguments from
# `accrochd COMMAND --help` (Boost.Program_options' layout: "  -c [ --config ] FILE  text"), the
# mapping names from `accrochd check --list-mappings`, which reads accrochd.yaml alone (neither
# the mappings nor the secrets: it works from a shell without the service's credentials).
# Installed as /usr/share/bash-completion/completions/accrochd; bash-completion loads it the
# first time accrochd is completed. It needs nothing from bash-completion itself.

# Help texts, per binary and command, for the life of the shell.
declare -gA _accrochd_help_cache

# _accrochd_help BINARY [COMMAND]: the --help text.
_accrochd_help() {
  local key="$*"
  if [[ -z ${_accrochd_help_cache[$key]+set} ]]; then
    _accrochd_help_cache[$key]=$("$@" --help 2>/dev/null)
  fi
  printf '%s\n' "${_accrochd_help_cache[$key]}"
}

# _accrochd_commands BINARY: the command names, one per line.
_accrochd_commands() {
  _accrochd_help "$1" | sed -n '/^Commands:/,/^$/s/^  \([a-z][a-z-]*\) .*/\1/p'
}

# _accrochd_options BINARY COMMAND: one line per option, "SHORT LONG VALUE HELP..." with "-"
# for no short name or no value. The positional arguments are the option --argument, whose
# value name (ACTION, FILE, ID) and help ("list | mark-uploaded FILE") say what they are. A
# value name is the upper-case word right after the option's names (help texts start in lower
# case).
_accrochd_options() {
  _accrochd_help "$1" "$2" | awk '
    /^Options:/ { in_options = 1; next }
    !in_options || $0 !~ /^  -/ { next }
    {
      short = "-"; long = ""; i = 1
      if ($1 ~ /^-[^-]$/) { short = $1; long = $3; i = 5 } else { long = $1; i = 2 }
      value = "-"
      if ($i ~ /^[A-Z][A-Z0-9_]*$/) { value = $i; i++ }
      if ($i ~ /^\(=/) i++
      help = ""
      for (; i <= NF; i++) help = help (help == "" ? "" : " ") $i
      print short, long, value, help
    }'
}

# _accrochd_reply CURRENT WORD...: COMPREPLY = the words that start with CURRENT.
_accrochd_reply() {
  local cur=$1 word
  shift
  for word in "$@"; do
    if [[ $word == "$cur"* ]]; then COMPREPLY+=("$word"); fi
  done
  return 0
}

# _accrochd_files CURRENT: file and directory names.
_accrochd_files() {
  compopt -o filenames 2>/dev/null || true
  local files
  files=$(compgen -f -- "$1") || true
  if [[ -n $files ]]; then mapfile -t -O "${#COMPREPLY[@]}" COMPREPLY <<<"$files"; fi
  return 0
}

# _accrochd_mappings BINARY CURRENT: the mapping names of the configuration named on the line
# (--config FILE, -c FILE, --config=FILE), else of accrochd's default one.
_accrochd_mappings() {
  local bin=$1 cur=$2 config="" i word
  for ((i = 2; i < ${#COMP_WORDS[@]}; i++)); do
    word=${COMP_WORDS[i]}
    if [[ $word == --config || $word == -c ]]; then
      config=${COMP_WORDS[i + 1]}
      [[ $config == = ]] && config=${COMP_WORDS[i + 2]}
    elif [[ $word == --config=* ]]; then
      config=${word#--config=}
    fi
  done
  config=${config/#\~/$HOME}
  local names
  if [[ -n $config ]]; then
    names=$("$bin" check --list-mappings --config "$config" 2>/dev/null) || names=""
  else
    names=$("$bin" check --list-mappings 2>/dev/null) || names=""
  fi
  local name
  while IFS= read -r name; do
    if [[ -n $name ]]; then _accrochd_reply "$cur" "$name"; fi
  done <<<"$names"
  return 0
}

_accrochd() {
  COMPREPLY=()
  local cur=${COMP_WORDS[COMP_CWORD]} prev=""
  ((COMP_CWORD > 0)) && prev=${COMP_WORDS[COMP_CWORD - 1]}
  local bin=${COMP_WORDS[0]/#\~/$HOME}
  command -v -- "$bin" >/dev/null 2>&1 || bin=accrochd

  if ((COMP_CWORD == 1)); then
    if [[ $cur == -* ]]; then
      _accrochd_reply "$cur" --help --version
    else
      _accrochd_reply "$cur" $(_accrochd_commands "$bin") help
    fi
    return 0
  fi
  local command=${COMP_WORDS[1]}
  if [[ $command == help ]]; then
    ((COMP_CWORD == 2)) && _accrochd_reply "$cur" $(_accrochd_commands "$bin")
    return 0
  fi

  local -a specs
  mapfile -t specs < <(_accrochd_options "$bin" "$command")
  ((${#specs[@]} > 0)) || return 0  # not a command

  # COMP_WORDBREAKS splits --config=FILE into "--config" "=" "FILE".
  local option=$prev
  if [[ $cur == = ]]; then
    cur=""
  elif [[ $prev == = ]] && ((COMP_CWORD > 1)); then
    option=${COMP_WORDS[COMP_CWORD - 2]}
  fi

  # The value of the option before the cursor.
  local spec short long value help
  for spec in "${specs[@]}"; do
    read -r short long value help <<<"$spec"
    [[ $long != --argument && $value != - && ($option == "$short" || $option == "$long") ]] ||
      continue
    if [[ $long == --mapping ]]; then
      _accrochd_mappings "$bin" "$cur"
    elif [[ $value == FILE || $value == XSD ]]; then
      _accrochd_files "$cur"
    fi
    return 0
  done

  local -a options=()
  local argument="" argument_help=""
  for spec in "${specs[@]}"; do
    read -r short long value help <<<"$spec"
    if [[ $long == --argument ]]; then
      argument=$value argument_help=$help
    else
      options+=("$long")
    fi
  done
  if [[ $cur == -* || -z $argument ]]; then
    _accrochd_reply "$cur" "${options[@]}"
    return 0
  fi

  # A positional argument: which one, counting those before the cursor (an option's value is
  # not one).
  local -a positionals=()
  local i word takes_value
  for ((i = 2; i < COMP_CWORD; i++)); do
    word=${COMP_WORDS[i]}
    if [[ $word == -* || $word == = ]]; then
      continue
    fi
    takes_value=0
    for spec in "${specs[@]}"; do
      read -r short long value help <<<"$spec"
      if [[ $value != - && (${COMP_WORDS[i - 1]} == "$short" || ${COMP_WORDS[i - 1]} == "$long") ]]; then
        takes_value=1
      fi
    done
    [[ ${COMP_WORDS[i - 1]} == = ]] && takes_value=1
    ((takes_value)) || positionals+=("$word")
  done

  case $argument in
    FILE)
      _accrochd_files "$cur"
      ;;
    ACTION)
      # The help says the actions and what follows each: "list | mark-uploaded FILE".
      local -a actions=() alternatives parts
      local alternative what_follows=""
      IFS='|' read -ra alternatives <<<"$argument_help"
      for alternative in "${alternatives[@]}"; do
        read -ra parts <<<"$alternative"
        ((${#parts[@]} > 0)) || continue
        actions+=("${parts[0]}")
        if ((${#positionals[@]} > 0)) && [[ ${parts[0]} == "${positionals[0]}" ]]; then
          what_follows=${parts[1]-}
        fi
      done
      if ((${#positionals[@]} == 0)); then
        _accrochd_reply "$cur" "${actions[@]}"
      elif [[ $what_follows == FILE* ]]; then
        _accrochd_files "$cur"
      fi
      ;;
  esac
  return 0
}

complete -F _accrochd accrochd
