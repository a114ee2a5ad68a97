using Microsoft.CodeAnalysis;

namespace TypedState.Analyzers;

/// <summary>
/// The descriptors of the analyzers' diagnostics, in one place. Ids are stable: <c>TSTATE</c> then 2xxx (1xxx is the
/// generator's). Each help link leads to the rule's section of docs/diagnostics.md, with a wrong and a fixed example.
/// </summary>
internal static class DiagnosticDescriptors
{
    private const string Category = "TypedState";
    private const string HelpBase = "https://github.com/typedstate/typedstate/blob/main/docs/diagnostics.md#";

    public static readonly DiagnosticDescriptor ForeignAgentWrite = Create(
        "TSTATE2001",
        "Handler writes another agent's state",
        "Handler '{0}' writes the agent state '{1}' of agent {2}, not its own: a handler writes only its own agent's state (through its context); ask the other agent with a message",
        DiagnosticSeverity.Error);

    public static readonly DiagnosticDescriptor ScopeMismatch = Create(
        "TSTATE2002",
        "State type used with an owner of another scope",
        "'{0}' is {1} state but is {2} through {3}: the record would belong to another scope and its lifetime; use {4}",
        DiagnosticSeverity.Warning);

    public static readonly DiagnosticDescriptor UndeclaredSharedWrite = Create(
        "TSTATE2003",
        "Shared state written without a declaration",
        "Agent '{0}' writes {1} state '{2}' but does not declare it: add [WritesState({3})] to '{0}', so the agents that change shared state are known",
        DiagnosticSeverity.Warning);

    public static readonly DiagnosticDescriptor WriteOutsideTransaction = Create(
        "TSTATE2004",
        "Write bypasses the open transaction",
        "'{0}' is written through '{1}' while the transaction '{2}' is open: the write is applied at once, not with the transaction's commit; write through '{2}'",
        DiagnosticSeverity.Warning);

    public static readonly DiagnosticDescriptor WriteOutsideLock = Create(
        "TSTATE2005",
        "Write to a locked key bypasses the lock",
        "'{0}' is locked by '{1}' but written through '{2}': the write is not fenced, so it lands even after the lease expired and another holder took the lock; write through '{1}.State'",
        DiagnosticSeverity.Warning);

    public static readonly DiagnosticDescriptor NonAtomicWrites = Create(
        "TSTATE2006",
        "Writes to several scopes outside a transaction",
        "Handler '{0}' writes {1} state ('{2}') and {3} state ('{4}') outside a transaction: a failure between the two stores one without the other; make both writes in one transaction",
        DiagnosticSeverity.Warning);

    public static readonly DiagnosticDescriptor InvalidKey = Create(
        "TSTATE2007",
        "Constant key or id fails at run time",
        "The {0} '{1}' is refused at run time: {2}",
        DiagnosticSeverity.Error);

    public static readonly DiagnosticDescriptor WildcardPrefix = Create(
        "TSTATE2008",
        "Prefix written like a wildcard",
        "The prefix '{0}' contains '{1}', which ListAsync matches literally: it lists only keys starting with '{0}'; write the literal prefix '{2}'",
        DiagnosticSeverity.Warning);

    public static readonly DiagnosticDescriptor UnsavedState = Create(
        "TSTATE2009",
        "Loaded state changed but never saved",
        "'{0}' ({1}, {2} state) is changed but never saved: the change is lost when the method returns; call '{0}.SaveAsync' after changing it",
        DiagnosticSeverity.Warning);

    private static DiagnosticDescriptor Create(string id, string title, string message, DiagnosticSeverity severity) =>
        new(id, title, message, Category, severity, isEnabledByDefault: true, helpLinkUri: HelpBase + id.ToLowerInvariant());
}
