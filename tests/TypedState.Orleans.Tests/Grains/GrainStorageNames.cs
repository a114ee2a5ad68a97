namespace TypedState.Orleans.Tests.Grains;

public static class GrainStorageNames
{
    /// <summary>The name the test silos register the TypedState grain storage under.</summary>
    public const string TypedState = "typedstate";
}
