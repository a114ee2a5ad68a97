namespace TypedState.Samples.Guild.State;

/// <summary>The librarian's own bookkeeping.</summary>
[AgentState(Version = 1)]
public partial class LibrarianLedger
{
    /// <summary>How many facts this librarian has filed.</summary>
    public int FactsFiled { get; set; }
}
