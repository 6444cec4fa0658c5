using System.Text;
using RekorPosix.Signing;
using RekorPosix.Tiles;

namespace RekorPosix.Log;

/// <summary>
/// This log's checkpoints: its origin, the function that signs a checkpoint text into a note, and
/// the verifier of that signature. It makes the <see cref="CheckpointMaker"/> the lifecycle hands
/// its driver, and refuses to continue a log whose stored checkpoint is not its own.
/// </summary>
public sealed class CheckpointSigner
{
    private readonly Func<string, string> _signNote;
    private readonly INoteVerifier? _verifier;

    /// <param name="signNote">Signs a checkpoint text and returns the whole note.</param>
    /// <param name="verifier">Verifies <paramref name="signNote"/>'s signatures (null: a stored
    /// checkpoint is only checked for its origin).</param>
    public CheckpointSigner(string origin, Func<string, string> signNote, INoteVerifier? verifier)
    {
        NoteKeyName.ThrowIfInvalid(origin, nameof(origin));
        Origin = origin;
        _signNote = signNote;
        _verifier = verifier;
    }

    /// <summary>Signs with <paramref name="signer"/> and verifies with its public key.</summary>
    public static CheckpointSigner For(LogSigningKey key, string origin)
    {
        var signer = key.CreateNoteSigner(origin);
        return new CheckpointSigner(origin, text => SignedNote.Sign(text, [signer]), key.PublicKey.CreateNoteVerifier(origin));
    }

    public string Origin { get; }

    /// <summary>The signed note for <paramref name="head"/>, with optional extension lines.</summary>
    public byte[] Sign(TreeHead head, IReadOnlyList<string>? extensions = null) =>
        Encoding.UTF8.GetBytes(_signNote(new Checkpoint(Origin, head.Size, head.Root, extensions ?? []).Format()));

    /// <summary>Signing is the whole of making a checkpoint until witnesses cosign it.</summary>
    public CheckpointMaker Maker() => (head, _, _) => Task.FromResult(Sign(head));

    /// <summary>The final checkpoint of a freeze: the tree with the <see cref="FrozenCheckpoint"/>
    /// line for <paramref name="when"/>, made only over a stored checkpoint this key signed for this
    /// origin (freezing with another key would sign another log's last word).</summary>
    public CheckpointMaker FinalMaker(DateTimeOffset when) => (head, current, _) =>
    {
        if (current is not null)
            CheckSameLog(current);
        return Task.FromResult(Sign(head, [FrozenCheckpoint.Line(when)]));
    };

    /// <summary>
    /// A checkpoint of another origin, or not signed by this signer, means another log, or a
    /// second process on this storage with another key or --hostname (two servers started in
    /// different directories each generate a key): signing beside it would publish two logs'
    /// checkpoints in turn at one place, which no client could verify. Throws <see cref="LogStateException"/>.
    /// </summary>
    public void CheckSameLog(PublishedCheckpoint stored)
    {
        var checkpoint = stored.Body();
        if (checkpoint.Origin != Origin)
            throw new LogStateException($"checkpoint belongs to origin '{checkpoint.Origin}', not '{Origin}': refusing to sign checkpoints of another log (check --hostname)");
        if (_verifier is null)
            return;
        try
        {
            SignedNote.Open(Encoding.UTF8.GetString(stored.Note), [_verifier]);
        }
        catch (Exception e) when (e is NoteVerificationException or FormatException)
        {
            throw new LogStateException(
                $"checkpoint is not signed by this signer ({_verifier.Name}+{_verifier.KeyId:x8}): {e.Message}; refusing to sign checkpoints of another log (check --signer-filepath)", e);
        }
    }
}
