;;; compilation.el --- proviso's short output in Emacs's compilation mode  -*- lexical-binding: t -*-

;; Run by tests/emacs.rs with `emacs --batch -Q -l'. Runs COMMAND in the
;; directory DIR with `compile', as `M-x compile' does, every setting of
;; compile.el at its default, and waits for it to finish. Then writes to
;; the file OUT one line for each message Emacs found, with the type it
;; gave it (0 info, 1 warning, 2 error), then where `first-error', and
;; then each `compilation-next-error' followed by `compile-goto-error',
;; lead: file, line, column and the text from point to the end of the line.

(require 'compile)
(prefer-coding-system 'utf-8)

(defvar proviso-test-lines nil "What is written to OUT, last first.")

(defun proviso-test-say (format-string &rest args)
  (push (apply #'format format-string args) proviso-test-lines))

(defun proviso-test-where (what)
  "Say WHAT led where: the visited file, line, column and text at point."
  (with-current-buffer (window-buffer (selected-window))
    (proviso-test-say "%s: %s:%d:%d: %s" what
                      (file-relative-name buffer-file-name (getenv "DIR"))
                      (line-number-at-pos) (1+ (current-column))
                      (buffer-substring-no-properties (point) (line-end-position)))))

(let* ((default-directory (file-name-as-directory (getenv "DIR")))
       (buffer (compile (getenv "COMMAND")))
       (process (get-buffer-process buffer)))
  (while (process-live-p process)
    (accept-process-output process 0.1))
  ;; The sentinel writes the exit status.
  (accept-process-output nil 0.1)
  (with-current-buffer buffer
    (compilation--ensure-parse (point-max))
    (goto-char (point-min))
    (while (not (eobp))
      (let ((message (get-text-property (point) 'compilation-message)))
        (when message
          (proviso-test-say "type %d: %s" (compilation--message->type message)
                            (buffer-substring-no-properties (point) (line-end-position)))))
      (forward-line 1)))

  (switch-to-buffer buffer)
  (first-error)
  (proviso-test-where "first-error")

  (with-current-buffer buffer
    (goto-char (point-min)))
  (condition-case nil
      (while t
        (with-current-buffer buffer
          (compilation-next-error 1)
          (compile-goto-error))
        (proviso-test-where "next"))
    (error nil))

  (with-current-buffer buffer
    (proviso-test-say "buffer:\n%s" (buffer-substring-no-properties (point-min) (point-max)))))

(with-temp-file (getenv "OUT")
  (insert (mapconcat #'identity (reverse proviso-test-lines) "\n") "\n"))
