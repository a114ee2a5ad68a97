using Microsoft.Extensions.Options;

namespace TypedState.DependencyInjection;

/// <summary>
/// Validates options with the check their type already has (which throws), so that the same rules refuse bad settings
/// when the host starts (<c>ValidateOnStart</c>) as when a driver or the manager is built by hand.
/// </summary>
internal sealed class StartupValidator<TOptions>(IServiceProvider services, Action<TOptions, IServiceProvider> validate) : IValidateOptions<TOptions>
    where TOptions : class
{
    public ValidateOptionsResult Validate(string? name, TOptions options)
    {
        if (name is not null && name != Options.DefaultName)
        {
            return ValidateOptionsResult.Skip;
        }

        try
        {
            validate(options, services);
            return ValidateOptionsResult.Success;
        }
        catch (Exception ex) when (ex is ArgumentException or InvalidOperationException)
        {
            return ValidateOptionsResult.Fail($"{typeof(TOptions).Name}: {ex.Message}");
        }
    }
}
